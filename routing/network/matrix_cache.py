"""File adapter: travel matrices cached as ``.npz`` under a directory.

The key is the network's ``version`` plus a hash of the point coordinates and matrix options, so a
changed network or point set never reads a stale matrix.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import numpy.typing as npt

from routing.network.graph import RoadNetwork
from routing.network.matrix import DEFAULT_MAX_SNAP_M, TravelMatrix, travel_matrix
from routing.network.matrix_parallel import parallel_travel_matrix

log = logging.getLogger(__name__)


def cache_key(
    network_version: str, lon: npt.ArrayLike, lat: npt.ArrayLike, max_snap_m: float
) -> str:
    """Stable file stem for a network version, a point set and the snapping threshold."""
    h = hashlib.sha256(network_version.encode())
    h.update(np.ascontiguousarray(np.round(np.asarray(lon, dtype=np.float64), 7)).tobytes())
    h.update(np.ascontiguousarray(np.round(np.asarray(lat, dtype=np.float64), 7)).tobytes())
    h.update(repr(float(max_snap_m)).encode())
    return f"matrix-{network_version}-{h.hexdigest()[:20]}"


def save(path: Path, matrix: TravelMatrix) -> None:
    """Write a matrix atomically (temporary file, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz.tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez_compressed(
                f,
                time_s=matrix.time_s,
                dist_m=matrix.dist_m,
                nodes=matrix.nodes,
                snap_m=matrix.snap_m,
                off_network=matrix.off_network,
            )
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load(path: Path) -> TravelMatrix | None:
    """A cached matrix, or None if the file is missing or unreadable."""
    try:
        with np.load(path) as z:
            return TravelMatrix(z["time_s"], z["dist_m"], z["nodes"], z["snap_m"], z["off_network"])
    except FileNotFoundError:
        return None
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as e:
        log.warning("ignoring unreadable matrix cache %s: %s", path, e)
        return None


def cached_travel_matrix(
    cache_dir: Path | str,
    net: RoadNetwork,
    lon: npt.ArrayLike,
    lat: npt.ArrayLike,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    workers: int = 1,
) -> TravelMatrix:
    """The matrix from ``cache_dir`` if present, else computed with default options (by
    ``workers`` processes, see :mod:`routing.network.matrix_parallel`) and stored."""
    path = Path(cache_dir) / f"{cache_key(net.version, lon, lat, max_snap_m)}.npz"
    hit = load(path)
    if hit is not None:
        return hit
    if workers > 1:
        matrix = parallel_travel_matrix(net, lon, lat, workers, max_snap_m=max_snap_m)
    else:
        matrix = travel_matrix(net, lon, lat, max_snap_m=max_snap_m)
    save(path, matrix)
    return matrix
