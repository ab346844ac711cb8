"""Saving and loading a fitted model as one ``.npz`` file (adapter: files only).

Arrays are stored as-is; site names, kinds, ids, the time zone and ``meta`` (training window,
metrics) go into a JSON string inside the archive. Loading never unpickles.

Format versions: 1 held one pooled calibration map (``cal_x``, ``cal_y``); 2 adds the lead bands'
maps (``cal_edges``, and ``cal_band_x`` / ``cal_band_y`` cut at ``cal_band_len``). Version 1
files still load, as a model with the pooled map at every lead (which is how they predicted).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from parking.isotonic import Calibrator
from parking.model import ParkingModel, SiteInfo
from parking.recalibration import LeadCalibrator

FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)
_ARRAYS = ("free_rate", "p_free", "own_weight", "lead_grid", "coef", "mean_coef")


class ModelFileError(ValueError):
    """A file that is not a parking model this code can read."""


def _calibration_arrays(cal: LeadCalibrator) -> dict[str, np.ndarray]:
    return {
        "cal_x": cal.pooled.x,
        "cal_y": cal.pooled.y,
        "cal_edges": np.asarray(cal.edges, float),
        "cal_band_len": np.array([len(b.x) for b in cal.bands], dtype=np.int64),
        "cal_band_x": np.concatenate([b.x for b in cal.bands]) if cal.bands else np.zeros(0),
        "cal_band_y": np.concatenate([b.y for b in cal.bands]) if cal.bands else np.zeros(0),
        "cal_band_samples": np.array(cal.band_samples, dtype=np.int64),
    }


def _read_calibration(z: Mapping[str, np.ndarray], version: int) -> LeadCalibrator:
    pooled = Calibrator(z["cal_x"], z["cal_y"])
    if version == 1:
        return LeadCalibrator(pooled)
    ends = np.concatenate([[0], np.cumsum(z["cal_band_len"])])
    bx, by = z["cal_band_x"], z["cal_band_y"]
    bands = tuple(Calibrator(bx[a:b], by[a:b]) for a, b in zip(ends[:-1], ends[1:], strict=True))
    samples = tuple(int(n) for n in z["cal_band_samples"])
    return LeadCalibrator(pooled, z["cal_edges"], bands, samples)


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
    arrays: dict[str, Any] = {name: getattr(model, name) for name in _ARRAYS}
    arrays.update(_calibration_arrays(model.calibrator))
    with open(path, "wb") as fh:
        np.savez_compressed(
            fh,
            header=np.array(json.dumps(header, default=str)),
            capacity=model.sites.capacity,
            lon=model.sites.lon,
            lat=model.sites.lat,
            **arrays,
        )


def load_model(path: Path | str) -> ParkingModel:
    """Read a model written by :func:`save_model` (this or an earlier readable format)."""
    try:
        with np.load(path, allow_pickle=False) as z:
            header = json.loads(str(z["header"]))
            version = header.get("format_version")
            if version not in READABLE_VERSIONS:
                raise ModelFileError(
                    f"{path}: format_version {version!r}, this code reads "
                    f"{', '.join(map(str, READABLE_VERSIONS))}; re-train or upgrade"
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
            cal = _read_calibration(z, version)
    except (OSError, KeyError, ValueError) as e:
        if isinstance(e, ModelFileError):
            raise
        raise ModelFileError(f"{path}: not a parking model file ({e})") from e
    return ParkingModel(
        sites, header["tz"], int(header["slot_min"]), calibrator=cal, meta=header["meta"], **arrays
    )
