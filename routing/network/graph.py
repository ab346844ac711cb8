"""A directed, drivable road graph of a city built from parsed OpenStreetMap data.

Pure: takes :class:`OsmData` (see :mod:`routing.network.osm` for the file adapter) and returns an
immutable :class:`RoadNetwork` with scipy CSR adjacency (travel time in s and length in m),
node coordinates as numpy arrays, a cKDTree for snapping, street names per node and a stable
``version`` digest for caching. Data © OpenStreetMap contributors, ODbL.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from core.geo import EARTH_RADIUS_M, haversine_m
from routing.network.ways import (
    DEFAULT_SPEED_FACTOR,
    FloatArray,
    IntArray,
    NetworkError,
    OsmData,
    merge_osm,
    way_directions,
    way_speed_kmh,
)

NETWORK_FORMAT = "roadnet-1"  # bump when the build rules change, to invalidate caches
# The municipality-wide main-roads extract is a sparse subset of OSM (about 270 disconnected
# pieces; harbour bridges and minor links are missing), so pieces whose closest nodes are within
# ``max_gap_m`` are joined by two-way "connector" edges standing in for the omitted roads.
DEFAULT_MAX_GAP_M = 300.0
CONNECTOR_SPEED_KMH = 30.0
CONNECTOR_DETOUR = 1.3  # connector length = straight-line gap x detour factor
CONNECTOR = "connector"
MIN_EDGE_M = 0.1
MIN_EDGE_S = 0.01


@dataclass(frozen=True)
class NodePath:
    """A node path on the network with cumulative length (m) and time (s) from its start."""

    nodes: IntArray
    cum_dist_m: FloatArray
    cum_time_s: FloatArray

    @property
    def distance_m(self) -> float:
        return float(self.cum_dist_m[-1])

    @property
    def time_s(self) -> float:
        return float(self.cum_time_s[-1])


@dataclass(frozen=True)
class StreetPoints:
    """Points sampled along streets: position, the directed edge they lie on, its street name."""

    lon: FloatArray
    lat: FloatArray
    edge: IntArray
    street: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class RoadNetwork:
    """Directed drivable road graph (largest strongly connected component).

    Nodes are indexed ``0..n-1``; ``osm_id[i]`` is the OSM id of node ``i``. Edge ``k`` goes from
    ``edge_src[k]`` to ``edge_dst[k]``. ``time_csr`` / ``dist_csr`` share one sparsity pattern.
    """

    osm_id: IntArray
    lon: FloatArray
    lat: FloatArray
    edge_src: IntArray
    edge_dst: IntArray
    edge_length_m: FloatArray
    edge_time_s: FloatArray
    edge_speed_kmh: FloatArray
    edge_highway: tuple[str, ...]
    edge_name: tuple[str, ...]
    edge_oneway: npt.NDArray[np.bool_]
    version: str
    _lat0: float = field(repr=False)

    @property
    def n_nodes(self) -> int:
        return int(self.lon.size)

    @property
    def n_edges(self) -> int:
        return int(self.edge_src.size)

    @cached_property
    def time_csr(self) -> csr_matrix:
        """Travel time (s) adjacency."""
        return self._csr(self.edge_time_s)

    @cached_property
    def dist_csr(self) -> csr_matrix:
        """Length (m) adjacency, same pattern as :attr:`time_csr`."""
        return self._csr(self.edge_length_m)

    def _csr(self, w: FloatArray) -> csr_matrix:
        n = self.n_nodes
        return csr_matrix((w, (self.edge_src, self.edge_dst)), shape=(n, n))

    @cached_property
    def xy(self) -> FloatArray:
        """Node positions (n, 2) in metres on a local equirectangular projection."""
        return np.column_stack(self.project(self.lon, self.lat))

    def project(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Local metric (x, y) of lon/lat, accurate to well under 1 % across the city."""
        k = np.pi / 180.0 * EARTH_RADIUS_M
        x = np.asarray(lon, dtype=np.float64) * k * np.cos(np.radians(self._lat0))
        y = np.asarray(lat, dtype=np.float64) * k
        return x, y

    @cached_property
    def _tree(self) -> cKDTree:
        return cKDTree(self.xy)

    def snap(self, lon: float, lat: float) -> tuple[int, float]:
        """Nearest node to a point and the distance to it in metres."""
        idx, dist = self.snap_many(np.array([lon]), np.array([lat]))
        return int(idx[0]), float(dist[0])

    def snap_many(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[IntArray, FloatArray]:
        """Nearest nodes to many points and the snap distances in metres (vectorised)."""
        x, y = self.project(lon, lat)
        dist, idx = self._tree.query(np.column_stack([np.ravel(x), np.ravel(y)]))
        return np.asarray(idx, dtype=np.int64), np.asarray(dist, dtype=np.float64)

    @cached_property
    def node_street(self) -> tuple[str, ...]:
        """Street name for each node: the longest named edge touching it ("" if none)."""
        names = np.array(self.edge_name, dtype=object)
        named = np.flatnonzero(names != "")
        order = named[np.argsort(-self.edge_length_m[named], kind="stable")]
        out = np.full(self.n_nodes, "", dtype=object)
        for ends in (self.edge_dst, self.edge_src):  # src written last wins ties
            nodes, first = np.unique(ends[order], return_index=True)
            out[nodes] = names[order[first]]
        return tuple(out.tolist())

    def street_name(self, node: int) -> str:
        """Street name at a node (for addresses in route lists)."""
        return self.node_street[node]

    @cached_property
    def physical_edges(self) -> IntArray:
        """One directed edge per street segment (two-way streets have two directed edges)."""
        keep = self.edge_oneway | (self.edge_src < self.edge_dst)
        return np.flatnonzero(keep)

    def sample_street_points(
        self, rng: np.random.Generator, n: int, edge_weight: FloatArray | None = None
    ) -> StreetPoints:
        """``n`` points along streets, drawn proportionally to length x ``edge_weight``.

        ``edge_weight`` (per directed edge, default 1) lets callers favour busier streets.
        """
        cand = self.physical_edges
        w = self.edge_length_m[cand].copy()
        if edge_weight is not None:
            w *= np.asarray(edge_weight, dtype=np.float64)[cand]
        if w.sum() <= 0:
            raise NetworkError("edge weights must not all be zero")
        edges = rng.choice(cand, size=n, p=w / w.sum())
        t = rng.random(n)
        s, d = self.edge_src[edges], self.edge_dst[edges]
        lon = self.lon[s] + t * (self.lon[d] - self.lon[s])
        lat = self.lat[s] + t * (self.lat[d] - self.lat[s])
        names = tuple(self.edge_name[e] for e in edges)
        return StreetPoints(lon, lat, edges.astype(np.int64), names)

    def path(self, source: int, target: int) -> NodePath:
        """Fastest node path from ``source`` to ``target`` with cumulative distance and time."""
        _, pred = dijkstra(self.time_csr, indices=source, return_predecessors=True)
        return self.path_from_predecessors(pred, source, target)

    def path_from_predecessors(self, pred: IntArray, source: int, target: int) -> NodePath:
        """Walk a csgraph predecessor row back from ``target`` to ``source``."""
        nodes = [target]
        while nodes[-1] != source:
            p = int(pred[nodes[-1]])
            if p < 0:
                raise NetworkError(f"node {target} is unreachable from {source}")
            nodes.append(p)
        arr = np.asarray(nodes[::-1], dtype=np.int64)
        return self.path_along(arr)

    def path_along(self, nodes: IntArray) -> NodePath:
        """Cumulative length/time along consecutive nodes joined by edges."""
        if nodes.size < 2:
            zero = np.zeros(nodes.size, dtype=np.float64)
            return NodePath(nodes, zero, zero.copy())
        a, b = nodes[:-1], nodes[1:]
        dist = np.asarray(self.dist_csr[a, b]).ravel()
        time = np.asarray(self.time_csr[a, b]).ravel()
        if np.any(time <= 0):
            raise NetworkError("consecutive path nodes are not joined by an edge")
        return NodePath(
            nodes,
            np.concatenate([[0.0], np.cumsum(dist)]),
            np.concatenate([[0.0], np.cumsum(time)]),
        )


def _gap_connectors(
    lon: FloatArray, lat: FloatArray, src: IntArray, dst: IntArray, max_gap_m: float
) -> tuple[IntArray, IntArray]:
    """Closest node pair (a, b) for each pair of weakly disconnected pieces within ``max_gap_m``."""
    n = lon.size
    g = csr_matrix((np.ones(src.size), (src, dst)), shape=(n, n))
    _, piece = connected_components(g, directed=True, connection="weak")
    used = np.unique(np.concatenate([src, dst]))
    k = np.pi / 180.0 * EARTH_RADIUS_M
    xy = np.column_stack([lon[used] * k * np.cos(np.radians(lat[used].mean())), lat[used] * k])
    pairs = cKDTree(xy).query_pairs(max_gap_m, output_type="ndarray")
    a, b = used[pairs[:, 0]], used[pairs[:, 1]]
    cross = piece[a] != piece[b]
    a, b = a[cross], b[cross]
    gap = haversine_m(lon[a], lat[a], lon[b], lat[b])
    key = np.minimum(piece[a], piece[b]).astype(np.int64) * n + np.maximum(piece[a], piece[b])
    order = np.lexsort((gap, key))
    key = key[order]
    first = np.ones(key.size, dtype=bool)
    first[1:] = key[1:] != key[:-1]
    return a[order][first].astype(np.int64), b[order][first].astype(np.int64)


def build_network(
    osm: OsmData | Sequence[OsmData],
    speed_factor: float = DEFAULT_SPEED_FACTOR,
    max_gap_m: float = DEFAULT_MAX_GAP_M,
) -> RoadNetwork:
    """The largest strongly connected drivable graph of one or several merged OSM extracts.

    Pieces of the input closer than ``max_gap_m`` are joined by connector edges (0 disables).
    """
    if not 0 < speed_factor <= 1.5:
        raise ValueError("speed_factor must be in (0, 1.5].")
    if max_gap_m < 0:
        raise ValueError("max_gap_m must be non-negative.")
    data = osm if isinstance(osm, OsmData) else merge_osm(osm)
    id_to_idx = {int(i): k for k, i in enumerate(data.node_ids.tolist())}
    src: list[int] = []
    dst: list[int] = []
    speed: list[float] = []
    way_of: list[int] = []
    oneway: list[bool] = []
    for w_i, way in enumerate(data.ways):
        kmh = way_speed_kmh(way)
        if kmh is None:
            continue
        fwd, bwd = way_directions(way)
        idx = [id_to_idx.get(n, -1) for n in way.node_ids]
        for a, b in zip(idx[:-1], idx[1:], strict=True):
            if a < 0 or b < 0 or a == b:
                continue
            for u, v, ok in ((a, b, fwd), (b, a, bwd)):
                if ok:
                    src.append(u)
                    dst.append(v)
                    speed.append(kmh)
                    way_of.append(w_i)
                    oneway.append(not (fwd and bwd))
    if not src:
        raise NetworkError("no drivable ways in the OSM data")
    s = np.asarray(src, dtype=np.int64)
    d = np.asarray(dst, dtype=np.int64)
    kmh_arr = np.asarray(speed, dtype=np.float64)
    length = haversine_m(data.lon[s], data.lat[s], data.lon[d], data.lat[d])
    n_ways = len(data.ways)
    way_arr = np.asarray(way_of, dtype=np.int64)
    oneway_arr = np.asarray(oneway, dtype=bool)
    if max_gap_m > 0:
        ca, cb = _gap_connectors(data.lon, data.lat, s, d, max_gap_m)
        c_len = (
            haversine_m(data.lon[ca], data.lat[ca], data.lon[cb], data.lat[cb]) * CONNECTOR_DETOUR
        )
        s, d = np.concatenate([s, ca, cb]), np.concatenate([d, cb, ca])
        length = np.concatenate([length, c_len, c_len])
        kmh_arr = np.concatenate([kmh_arr, np.full(2 * ca.size, CONNECTOR_SPEED_KMH)])
        way_arr = np.concatenate([way_arr, np.full(2 * ca.size, n_ways)])
        oneway_arr = np.concatenate([oneway_arr, np.zeros(2 * ca.size, dtype=bool)])
    length = np.maximum(length, MIN_EDGE_M)
    time = np.maximum(length / (kmh_arr * speed_factor / 3.6), MIN_EDGE_S)
    # parallel edges (same u -> v): keep the fastest, so CSR never sums duplicates
    order = np.lexsort((time, d, s))
    s, d = s[order], d[order]
    first = np.ones(s.size, dtype=bool)
    first[1:] = (s[1:] != s[:-1]) | (d[1:] != d[:-1])
    keep = order[first]
    s, d = s[first], d[first]
    length, time, kmh_arr = length[keep], time[keep], kmh_arr[keep]
    ways_kept = way_arr[keep]
    oneway_arr = oneway_arr[keep]
    # largest strongly connected component
    n_all = data.node_ids.size
    g = csr_matrix((np.ones(s.size), (s, d)), shape=(n_all, n_all))
    _, labels = connected_components(g, directed=True, connection="strong")
    big = np.bincount(labels).argmax()
    in_big = labels == big
    e_keep = in_big[s] & in_big[d]
    remap = np.full(n_all, -1, dtype=np.int64)
    nodes = np.flatnonzero(in_big)
    remap[nodes] = np.arange(nodes.size)
    ways_kept = ways_kept[e_keep]
    digest = hashlib.sha256(
        f"{NETWORK_FORMAT}|{data.digest}|{n_ways}|{n_all}|{speed_factor}|{max_gap_m}".encode()
    ).hexdigest()[:16]
    lat = data.lat[nodes]
    return RoadNetwork(
        osm_id=data.node_ids[nodes],
        lon=data.lon[nodes],
        lat=lat,
        edge_src=remap[s[e_keep]],
        edge_dst=remap[d[e_keep]],
        edge_length_m=length[e_keep],
        edge_time_s=time[e_keep],
        edge_speed_kmh=kmh_arr[e_keep] * speed_factor,
        edge_highway=tuple(data.ways[i].highway if i < n_ways else CONNECTOR for i in ways_kept),
        edge_name=tuple(data.ways[i].name if i < n_ways else "" for i in ways_kept),
        edge_oneway=oneway_arr[e_keep],
        version=digest,
        _lat0=float(lat.mean()),
    )
