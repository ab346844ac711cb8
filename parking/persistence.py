"""Saving and loading a fitted model as one ``.npz`` file (adapter: files only).

Arrays are stored as-is; site names, kinds, ids, the time zone and ``meta`` (training window,
metrics) go into a JSON string inside the archive. Loading never unpickles.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from parking.calibration import Calibrator
from parking.model import ParkingModel, SiteInfo

FORMAT_VERSION = 1
_ARRAYS = ("free_rate", "p_free", "own_weight", "lead_grid", "coef", "mean_coef")


class ModelFileError(ValueError):
    """A file that is not a parking model this code can read."""


def save_model(model: ParkingModel, path: Path | str) -> None:
    """Write ``model`` to ``path`` (``.npz``)."""
    header = {
        "format_version": FORMAT_VERSION,
        "tz": model.tz,
        "slot_min": model.slot_min,
        "site_ids": list(model.sites.site_ids),
        "names": list(model.sites.names),
        "kinds": list(model.sites.kinds),
        "meta": model.meta,
    }
    arrays = {name: getattr(model, name) for name in _ARRAYS}
    with open(path, "wb") as fh:
        np.savez_compressed(
            fh,
            header=np.array(json.dumps(header, default=str)),
            capacity=model.sites.capacity,
            lon=model.sites.lon,
            lat=model.sites.lat,
            cal_x=model.calibrator.x,
            cal_y=model.calibrator.y,
            **arrays,
        )


def load_model(path: Path | str) -> ParkingModel:
    """Read a model written by :func:`save_model`."""
    try:
        with np.load(path, allow_pickle=False) as z:
            header = json.loads(str(z["header"]))
            if header.get("format_version") != FORMAT_VERSION:
                raise ModelFileError(
                    f"{path}: format_version {header.get('format_version')!r}, "
                    f"expected {FORMAT_VERSION}"
                )
            sites = SiteInfo(
                tuple(header["site_ids"]),
                tuple(header["names"]),
                tuple(header["kinds"]),
                z["capacity"],
                z["lon"],
                z["lat"],
            )
            arrays = {name: z[name] for name in _ARRAYS}
            cal = Calibrator(z["cal_x"], z["cal_y"])
    except (OSError, KeyError, ValueError) as e:
        if isinstance(e, ModelFileError):
            raise
        raise ModelFileError(f"{path}: not a parking model file ({e})") from e
    return ParkingModel(
        sites, header["tz"], int(header["slot_min"]), calibrator=cal, meta=header["meta"], **arrays
    )
