"""Road geometry of planned routes: the polyline a truck drives along the network between its
stops (pure).

Each stop is snapped to its nearest network node and consecutive stop nodes are joined by the
fastest path (the same travel-time graph the planner's matrix uses). Shortest paths are found in
batches: one csgraph Dijkstra per distinct source node, first bounded by ``limit_s`` of travel
time (legs between neighbouring bins are short), then unbounded for the few legs the bound cut
off. A leg with no path (impossible on the strongly connected network) is drawn straight.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from scipy.sparse.csgraph import dijkstra

from core.plan import DayPlan, Line, Stop
from routing.network.graph import RoadNetwork
from routing.network.ways import IntArray

log = logging.getLogger(__name__)

DEFAULT_LIMIT_S = 900.0  # first-pass Dijkstra bound (travel time, s)
DEFAULT_DECIMALS = 6  # ~0.1 m
CHUNK = 256  # sources per Dijkstra call (memory: CHUNK x nodes distances and predecessors)


def route_geometry(net: RoadNetwork, stops: Sequence[Stop]) -> Line:
    """The driven polyline ``[lon, lat]`` of one route; see :func:`routes_geometry`."""
    return routes_geometry(net, [stops])[0]


def routes_geometry(
    net: RoadNetwork,
    routes: Sequence[Sequence[Stop]],
    decimals: int = DEFAULT_DECIMALS,
    limit_s: float = DEFAULT_LIMIT_S,
) -> list[Line]:
    """For each route, the network nodes driven from its first stop's node to its last one's, as
    ``(lon, lat)`` rounded to ``decimals`` with consecutive duplicates removed.

    A route with fewer than two stops gets the (snapped) node of its only stop, or ``()``.
    """
    if decimals < 0:
        raise ValueError("decimals must be non-negative.")
    if limit_s <= 0:
        raise ValueError("limit_s must be positive.")
    sizes = [len(r) for r in routes]
    if sum(sizes) == 0:
        return [() for _ in routes]
    lon = np.array([s.lon for r in routes for s in r], dtype=np.float64)
    lat = np.array([s.lat for r in routes for s in r], dtype=np.float64)
    nodes, _ = net.snap_many(lon, lat)
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    per_route = [nodes[bounds[i] : bounds[i + 1]] for i in range(len(routes))]
    legs = {
        (int(a), int(b)) for r in per_route for a, b in zip(r[:-1], r[1:], strict=True) if a != b
    }
    paths = leg_paths(net, legs, limit_s)
    out = []
    for r in per_route:
        seq: list[int] = [int(r[0])] if r.size else []
        for a, b in zip(r[:-1].tolist(), r[1:].tolist(), strict=True):
            if a != b:
                seq.extend(paths[(a, b)][1:])
        out.append(_coords(net, np.asarray(seq, dtype=np.int64), decimals))
    return out


def leg_paths(
    net: RoadNetwork, legs: set[tuple[int, int]], limit_s: float = DEFAULT_LIMIT_S
) -> dict[tuple[int, int], list[int]]:
    """The fastest node path (``[a, ..., b]``) of every leg ``(a, b)``; ``[a, b]`` if none."""
    by_source: dict[int, list[int]] = {}
    for a, b in legs:
        by_source.setdefault(a, []).append(b)
    out: dict[tuple[int, int], list[int]] = {}
    missing = _walk_batches(net, by_source, limit_s, out)
    if missing:
        _walk_batches(net, missing, np.inf, out)
    for a, targets in by_source.items():
        for b in targets:
            out.setdefault((a, b), [a, b])  # unreachable: straight
    return out


def _walk_batches(
    net: RoadNetwork,
    by_source: dict[int, list[int]],
    limit: float,
    out: dict[tuple[int, int], list[int]],
) -> dict[int, list[int]]:
    """Fill ``out`` with the legs reachable within ``limit``; return the others by source."""
    sources = sorted(by_source)
    missing: dict[int, list[int]] = {}
    for k in range(0, len(sources), CHUNK):
        chunk = np.asarray(sources[k : k + CHUNK], dtype=np.int64)
        _, pred = dijkstra(net.time_csr, indices=chunk, return_predecessors=True, limit=limit)
        for row, a in enumerate(chunk.tolist()):
            for b in by_source[a]:
                path = _walk(pred[row], a, b)
                if path is None:
                    missing.setdefault(a, []).append(b)
                else:
                    out[(a, b)] = path
    return missing


def _walk(pred: IntArray, source: int, target: int) -> list[int] | None:
    """Nodes from ``source`` to ``target`` along a predecessor row, None if not reached."""
    nodes = [target]
    while nodes[-1] != source:
        p = int(pred[nodes[-1]])
        if p < 0:
            return None
        nodes.append(p)
    return nodes[::-1]


def _coords(net: RoadNetwork, nodes: IntArray, decimals: int) -> Line:
    pts = np.column_stack([net.lon[nodes], net.lat[nodes]]).round(decimals)
    if len(pts) > 1:
        keep = np.concatenate([[True], np.any(pts[1:] != pts[:-1], axis=1)])
        pts = pts[keep]
    return tuple(map(tuple, pts.tolist()))


def with_geometry(plan: DayPlan, net: RoadNetwork) -> DayPlan:
    """``plan`` with every route's road geometry filled in (one batched computation)."""
    t0 = time.perf_counter()
    lines = routes_geometry(net, [r.stops for r in plan.routes])
    routes = tuple(replace(r, geometry=g) for r, g in zip(plan.routes, lines, strict=True))
    log.info(
        "route geometry: %d routes, %d stops, %d points in %.2f s",
        len(routes),
        sum(len(r.stops) for r in routes),
        sum(len(g) for g in lines),
        time.perf_counter() - t0,
    )
    return replace(plan, routes=routes)
