"""Travel-time and distance matrices between points on the road network.

Pure. One :func:`scipy.sparse.csgraph.dijkstra` call per chunk of sources over the time CSR gives
the fastest times and a shortest-path tree; the distance along each fastest path is accumulated
over that tree by pointer jumping (vectorised, ``log2(depth)`` steps). Points whose snap distance
exceeds ``max_snap_m`` are routed "as the crow flies" x a detour factor at a conservative speed
and flagged in :attr:`TravelMatrix.off_network`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse.csgraph import dijkstra

from core.geo import haversine_m
from routing.network.contraction import ContractedGraph, contract
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


# How the rows of a contracted graph's matrix get computed: (graph, targets) -> (time, dist)
# over targets x targets (local indices); :mod:`routing.network.matrix_parallel` splits them.
NodeRows = Callable[[ContractedGraph, IntArray], tuple[FloatArray, FloatArray]]


def node_matrices(
    net: RoadNetwork, nodes: npt.ArrayLike, rows: NodeRows | None = None
) -> tuple[FloatArray, FloatArray]:
    """Fastest travel time (s) and the length (m) of that fastest path between network nodes.

    The search runs on the graph contracted around ``nodes`` (:mod:`routing.network.contraction`),
    which keeps every fastest time and path length; ``rows`` computes its matrix (default:
    :func:`all_rows`, in this process).
    """
    nodes = np.asarray(nodes, dtype=np.int64)
    uniq, inverse = np.unique(nodes, return_inverse=True)
    g = contract(net, uniq)
    time, dist = (rows or all_rows)(g, g.local(uniq))
    return _expand(time, inverse, inverse), _expand(dist, inverse, inverse)


def all_rows(g: ContractedGraph, targets: IntArray) -> tuple[FloatArray, FloatArray]:
    """The matrix between ``targets`` (local node indices of ``g``), all rows."""
    return contracted_rows(g, targets, targets)


def contracted_rows(
    g: ContractedGraph, sources: IntArray, targets: IntArray
) -> tuple[FloatArray, FloatArray]:
    """Times and fastest-path lengths from ``sources`` to ``targets`` (local indices of ``g``)."""
    time = np.empty((sources.size, targets.size))
    dist = np.empty((sources.size, targets.size))
    csr = g.time_csr
    in_src, in_len = _in_edges(g.edge_src, g.edge_dst, g.edge_length_m, g.n_nodes)
    for lo in range(0, sources.size, SOURCE_CHUNK):
        src = sources[lo : lo + SOURCE_CHUNK]
        t, pred = dijkstra(csr, indices=src, return_predecessors=True)
        if not np.all(np.isfinite(t[:, targets])):
            raise MatrixError("some nodes are unreachable (network not strongly connected)")
        d = _tree_lengths(pred, src, in_src, in_len)
        time[lo : lo + src.size] = t[:, targets]
        dist[lo : lo + src.size] = d[:, targets]
    return time, dist


def _expand(m: FloatArray, rows: IntArray, cols: IntArray) -> FloatArray:
    """``m[np.ix_(rows, cols)]``: columns gathered first, then whole rows copied (faster)."""
    return np.take(m, cols, axis=1)[rows]


def _in_edges(
    edge_src: IntArray, edge_dst: IntArray, length_m: FloatArray, n: int
) -> tuple[IntArray, FloatArray]:
    """Per node, its in-neighbours and the lengths of their edges, as (in-degree, n) tables.

    Row ``j`` holds each node's ``j``-th incoming edge (-1 / 0 where it has fewer).
    """
    order = np.lexsort((edge_src, edge_dst))
    dst, src, ln = edge_dst[order], edge_src[order], length_m[order]
    deg = np.bincount(dst, minlength=n)
    rank = np.arange(dst.size) - np.concatenate([[0], np.cumsum(deg)])[dst]
    width = int(deg.max()) if deg.size else 0
    in_src = np.full((width, n), -1, dtype=np.int64)
    in_len = np.zeros((width, n))
    in_src[rank, dst] = src
    in_len[rank, dst] = ln
    return in_src, in_len


def _tree_lengths(
    pred: npt.NDArray[np.int32], roots: IntArray, in_src: IntArray, in_len: FloatArray
) -> FloatArray:
    """Distance from each row's root to every node along the row's predecessor tree.

    Pointer jumping on flat indices: after step ``j`` each node holds the length of its path
    up to its ``2**j``-th ancestor, so ``log2(depth)`` vectorised steps reach every root.
    """
    m, n = pred.shape
    parent = pred.astype(np.int64)
    unreached = parent < 0
    parent[unreached] = np.broadcast_to(roots[:, None], parent.shape)[unreached]
    acc = np.zeros((m, n))
    for j in range(in_src.shape[0]):  # the length of each node's tree edge
        hit = parent == in_src[j][None, :]
        acc[hit] = np.broadcast_to(in_len[j][None, :], acc.shape)[hit]
    acc[unreached] = 0.0  # the roots themselves (and unreachable nodes)
    total = acc.ravel()
    flat = (parent + (np.arange(m, dtype=np.int64) * n)[:, None]).ravel()
    del parent, unreached
    while True:
        grand = flat[flat]
        if np.array_equal(grand, flat):
            return total.reshape(m, n)
        total += total[flat]
        flat = grand


def travel_matrix(
    net: RoadNetwork,
    lon: npt.ArrayLike,
    lat: npt.ArrayLike,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
    fallback_speed_kmh: float = FALLBACK_SPEED_KMH,
    detour: float = FALLBACK_DETOUR,
    rows: NodeRows | None = None,
) -> TravelMatrix:
    """Time/distance matrices between lon/lat points snapped to the network.

    ``rows`` computes the node matrix (see :func:`node_matrices`; default: in this process).
    """
    if max_snap_m <= 0 or fallback_speed_kmh <= 0 or detour < 1:
        raise MatrixError("max_snap_m and fallback_speed_kmh must be positive, detour >= 1")
    lon = np.asarray(lon, dtype=np.float64).ravel()
    lat = np.asarray(lat, dtype=np.float64).ravel()
    if lon.size != lat.size or lon.size == 0:
        raise MatrixError("lon and lat must be non-empty and of equal length")
    nodes, snap = net.snap_many(lon, lat)
    off = snap > max_snap_m
    if not off.any():
        time, dist = node_matrices(net, nodes, rows)
        np.fill_diagonal(time, 0.0)
        np.fill_diagonal(dist, 0.0)
        return TravelMatrix(time, dist, nodes, snap, off)
    time = np.zeros((lon.size, lon.size))
    dist = np.zeros((lon.size, lon.size))
    on = np.flatnonzero(~off)
    if on.size:
        t_on, d_on = node_matrices(net, nodes[on], rows)
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
    in_edges = _in_edges(net.edge_src, net.edge_dst, net.edge_length_m, net.n_nodes)
    d = _tree_lengths(pred, source, *in_edges)
    time = t[0, targets].astype(np.float64)
    dist = d[0, targets].astype(np.float64)
    off = (snap[1:] > max_snap_m) | (snap[0] > max_snap_m) | ~np.isfinite(time)
    if off.any():
        crow = haversine_m(lon, lat, to_lon[off], to_lat[off]) * detour
        dist[off] = crow
        time[off] = crow / (fallback_speed_kmh / 3.6)
    return time, dist
