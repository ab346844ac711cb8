"""Travel-time and distance matrices between points on the road network.

Pure. One :func:`scipy.sparse.csgraph.dijkstra` call per chunk of sources over the time CSR gives
the fastest times and a shortest-path tree; the distance along each fastest path is accumulated
over that tree by pointer jumping (vectorised, ``log2(depth)`` steps). Points whose snap distance
exceeds ``max_snap_m`` are routed "as the crow flies" x a detour factor at a conservative speed
and flagged in :attr:`TravelMatrix.off_network`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse.csgraph import dijkstra

from core.geo import haversine_m
from routing.network.graph import RoadNetwork
from routing.network.ways import FloatArray, IntArray

DEFAULT_MAX_SNAP_M = 400.0  # ARC Amager Bakke's nearest node in the extract is 363 m away
FALLBACK_SPEED_KMH = 15.0  # conservative door-to-door speed for off-network legs
FALLBACK_DETOUR = 1.4  # road distance / straight-line distance in a city
SOURCE_CHUNK = 256


class MatrixError(ValueError):
    """The points cannot be turned into a matrix."""


@dataclass(frozen=True)
class TravelMatrix:
    """Square matrices over the input points (row = from, column = to)."""

    time_s: FloatArray
    dist_m: FloatArray
    nodes: IntArray  # snapped network node per point
    snap_m: FloatArray  # distance from each point to its node
    off_network: npt.NDArray[np.bool_]  # point routed by the haversine fallback

    def __post_init__(self) -> None:
        n = self.nodes.size
        if self.time_s.shape != (n, n) or self.dist_m.shape != (n, n):
            raise MatrixError("time and distance matrices must be n x n over the points")

    @property
    def size(self) -> int:
        return int(self.nodes.size)


def node_matrices(net: RoadNetwork, nodes: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Fastest travel time (s) and the length (m) of that fastest path between network nodes."""
    nodes = np.asarray(nodes, dtype=np.int64)
    uniq, inverse = np.unique(nodes, return_inverse=True)
    k = uniq.size
    time = np.empty((k, k))
    dist = np.empty((k, k))
    csr = net.time_csr
    sorted_keys, sorted_len = _sorted_edges(net)
    for lo in range(0, k, SOURCE_CHUNK):
        src = uniq[lo : lo + SOURCE_CHUNK]
        t, pred = dijkstra(csr, indices=src, return_predecessors=True)
        if not np.all(np.isfinite(t[:, uniq])):
            raise MatrixError("some nodes are unreachable (network not strongly connected)")
        d = _tree_lengths(pred, src, sorted_keys, sorted_len, net.n_nodes)
        time[lo : lo + src.size] = t[:, uniq]
        dist[lo : lo + src.size] = d[:, uniq]
    return time[np.ix_(inverse, inverse)], dist[np.ix_(inverse, inverse)]


def _sorted_edges(net: RoadNetwork) -> tuple[IntArray, FloatArray]:
    """Edge keys ``src * n + dst`` sorted, with the edges' lengths in that order."""
    keys = net.edge_src * net.n_nodes + net.edge_dst
    order = np.argsort(keys)
    return keys[order], net.edge_length_m[order]


def _tree_lengths(
    pred: npt.NDArray[np.int32],
    roots: IntArray,
    sorted_keys: IntArray,
    sorted_len: FloatArray,
    n: int,
) -> FloatArray:
    """Distance from each row's root to every node along the row's predecessor tree."""
    rows = np.arange(pred.shape[0])[:, None]
    parent = pred.astype(np.int64)
    unreached = parent < 0
    parent[unreached] = np.broadcast_to(roots[:, None], parent.shape)[unreached]
    node = np.broadcast_to(np.arange(n), parent.shape)
    pos = np.searchsorted(sorted_keys, parent * n + node)
    acc = sorted_len[np.minimum(pos, sorted_len.size - 1)]
    acc[unreached] = 0.0  # the roots themselves (and unreachable nodes)
    while True:
        grand = parent[rows, parent]
        if np.array_equal(grand, parent):
            return acc
        acc = acc + acc[rows, parent]
        parent = grand


def travel_matrix(
    net: RoadNetwork,
    lon: npt.ArrayLike,
    lat: npt.ArrayLike,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    fallback_speed_kmh: float = FALLBACK_SPEED_KMH,
    detour: float = FALLBACK_DETOUR,
) -> TravelMatrix:
    """Time/distance matrices between lon/lat points snapped to the network."""
    if max_snap_m <= 0 or fallback_speed_kmh <= 0 or detour < 1:
        raise MatrixError("max_snap_m and fallback_speed_kmh must be positive, detour >= 1")
    lon = np.asarray(lon, dtype=np.float64).ravel()
    lat = np.asarray(lat, dtype=np.float64).ravel()
    if lon.size != lat.size or lon.size == 0:
        raise MatrixError("lon and lat must be non-empty and of equal length")
    nodes, snap = net.snap_many(lon, lat)
    off = snap > max_snap_m
    time = np.zeros((lon.size, lon.size))
    dist = np.zeros((lon.size, lon.size))
    on = np.flatnonzero(~off)
    if on.size:
        t_on, d_on = node_matrices(net, nodes[on])
        time[np.ix_(on, on)] = t_on
        dist[np.ix_(on, on)] = d_on
    if off.any():
        crow = haversine_m(lon[:, None], lat[:, None], lon[None, :], lat[None, :]) * detour
        touch = off[:, None] | off[None, :]
        dist[touch] = crow[touch]
        time[touch] = crow[touch] / (fallback_speed_kmh / 3.6)
    np.fill_diagonal(time, 0.0)
    np.fill_diagonal(dist, 0.0)
    return TravelMatrix(time, dist, nodes, snap, off)


def travel_from(
    net: RoadNetwork,
    lon: float,
    lat: float,
    to_lon: npt.ArrayLike,
    to_lat: npt.ArrayLike,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    fallback_speed_kmh: float = FALLBACK_SPEED_KMH,
    detour: float = FALLBACK_DETOUR,
) -> tuple[FloatArray, FloatArray]:
    """Time (s) and distance (m) from one point to each ``to`` point: one shortest-path search.

    The same rules as a :func:`travel_matrix` row: snapped nodes, fastest path, the haversine
    fallback for points snapped further than ``max_snap_m`` (and for unreachable nodes).
    """
    to_lon = np.asarray(to_lon, dtype=np.float64).ravel()
    to_lat = np.asarray(to_lat, dtype=np.float64).ravel()
    nodes, snap = net.snap_many(np.r_[lon, to_lon], np.r_[lat, to_lat])
    source, targets = nodes[:1], nodes[1:]
    t, pred = dijkstra(net.time_csr, indices=source, return_predecessors=True)
    d = _tree_lengths(pred, source, *_sorted_edges(net), net.n_nodes)
    time = t[0, targets].astype(np.float64)
    dist = d[0, targets].astype(np.float64)
    off = (snap[1:] > max_snap_m) | (snap[0] > max_snap_m) | ~np.isfinite(time)
    if off.any():
        crow = haversine_m(lon, lat, to_lon[off], to_lat[off]) * detour
        dist[off] = crow
        time[off] = crow / (fallback_speed_kmh / 3.6)
    return time, dist
