"""Process adapter: a travel matrix's shortest-path rows split over worker processes.

:func:`parallel_travel_matrix` is :func:`routing.network.matrix.travel_matrix` (same snapping,
fallback and result) with the rows of the contracted graph's matrix shared between this process
and ``workers - 1`` spawned ones; only the small contracted graph is sent to them and only the
rows between distinct nodes come back. ``workers=1`` (or a small matrix) computes in-process.
Worth it only with an idle core: on the shared 2-core machine, 6,004 points took 8.2 s with two
processes against 6.0 s with one (the spawned process's start-up ate the gain), so the callers
(:mod:`routing.network.matrix_cache`, ``benchmarks/plan_day.py``) default to one.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from functools import partial

import numpy as np
import numpy.typing as npt

from routing.network.contraction import ContractedGraph
from routing.network.graph import RoadNetwork
from routing.network.matrix import DEFAULT_MAX_SNAP_M, TravelMatrix, contracted_rows, travel_matrix
from routing.network.ways import FloatArray, IntArray

MIN_ROWS_PER_WORKER = 500  # below this a process start costs more than it saves


def split_rows(
    g: ContractedGraph, targets: IntArray, workers: int
) -> tuple[FloatArray, FloatArray]:
    """The matrix between ``targets``; rows in ``workers`` slices, the first one in-process."""
    parts = min(workers, max(1, targets.size // MIN_ROWS_PER_WORKER))
    if parts <= 1:
        return contracted_rows(g, targets, targets)
    bounds = np.linspace(0, targets.size, parts + 1).astype(int)
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=parts - 1, mp_context=ctx) as pool:
        futures: list[Future[tuple[FloatArray, FloatArray]]] = [
            pool.submit(contracted_rows, g, targets[lo:hi], targets)
            for lo, hi in zip(bounds[1:-1], bounds[2:], strict=True)
        ]
        first = contracted_rows(g, targets[: bounds[1]], targets)
        rest = [f.result() for f in futures]
    time = np.concatenate([first[0], *(r[0] for r in rest)])
    dist = np.concatenate([first[1], *(r[1] for r in rest)])
    return time, dist


def parallel_travel_matrix(
    net: RoadNetwork,
    lon: npt.ArrayLike,
    lat: npt.ArrayLike,
    workers: int = 2,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
) -> TravelMatrix:
    """:func:`~routing.network.matrix.travel_matrix` computed by ``workers`` processes."""
    if workers < 1:
        raise ValueError("workers must be at least 1.")
    return travel_matrix(
        net, lon, lat, max_snap_m=max_snap_m, rows=partial(split_rows, workers=workers)
    )
