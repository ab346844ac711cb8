"""The fastest road paths between network nodes, kept for reuse (pure, deterministic).

A closed-loop run draws the same legs day after day (and every run on a scenario the same
legs again): the trucks' GPS (:mod:`simulations.loop.gps`) and the plans' road geometry
(:mod:`simulations.loop.planned_routes`) both follow the fastest path between the stops'
snapped nodes. :class:`RoadPaths` runs one unbounded Dijkstra per source node the first time a
leg leaves it (the shortest-path tree the travel matrix itself was measured on:
:func:`routing.network.matrix.node_matrices`), keeps its predecessor row (4 bytes a network
node: 50 MB for 1,000 bins on a 12,600-node network) and each leg's shape once walked. What it
returns does not depend on the order of the questions, so runs stay reproducible.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt
from scipy.sparse.csgraph import dijkstra

from routing.network.graph import RoadNetwork

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Shape = tuple[FloatArray, FloatArray, FloatArray]  # node lon, node lat, edge seconds between
CHUNK = 64  # sources per Dijkstra call


class RoadPaths:
    """Fastest node paths on ``net`` and their shapes, computed on first use and kept."""

    def __init__(self, net: RoadNetwork) -> None:
        self.net = net
        self._pred: dict[int, npt.NDArray[np.int32]] = {}
        self._shapes: dict[tuple[int, int], Shape] = {}
        n = np.int64(net.n_nodes)
        keys = net.edge_src.astype(np.int64) * n + net.edge_dst.astype(np.int64)
        order = np.argsort(keys, kind="stable")
        self._keys, self._time = keys[order], np.asarray(net.edge_time_s, np.float64)[order]

    def prepare(self, legs: Iterable[tuple[int, int]]) -> None:
        """Grow the shortest-path trees of the legs' sources not seen yet, in batches."""
        todo = sorted({a for a, b in legs if a != b and a not in self._pred})
        for k in range(0, len(todo), CHUNK):
            src = np.asarray(todo[k : k + CHUNK], dtype=np.int64)
            _, pred = dijkstra(self.net.time_csr, indices=src, return_predecessors=True)
            for a, row in zip(src.tolist(), np.asarray(pred, dtype=np.int32), strict=True):
                self._pred[a] = row

    def path(self, a: int, b: int) -> IntArray:
        """Nodes from ``a`` to ``b`` along the fastest path (``[a]`` when equal, ``[a, b]``
        when ``b`` is unreachable)."""
        if a == b:
            return np.array([a], dtype=np.int64)
        if a not in self._pred:
            self.prepare([(a, b)])
        pred = self._pred[a]
        nodes = [b]
        while nodes[-1] != a:
            p = int(pred[nodes[-1]])
            if p < 0:
                return np.array([a, b], dtype=np.int64)
            nodes.append(p)
        return np.array(nodes[::-1], dtype=np.int64)

    def shape(self, a: int, b: int) -> Shape:
        """The leg's node coordinates and the network's time of each edge between them."""
        key = (a, b)
        got = self._shapes.get(key)
        if got is None:
            nodes = self.path(a, b)
            got = (self.net.lon[nodes], self.net.lat[nodes], self.edge_s(nodes))
            self._shapes[key] = got
        return got

    def edge_s(self, nodes: IntArray) -> FloatArray:
        """Network seconds of each edge along ``nodes`` (0 where there is no edge)."""
        if nodes.size < 2:
            return np.zeros(0)
        q = nodes[:-1] * np.int64(self.net.n_nodes) + nodes[1:]
        i = np.minimum(np.searchsorted(self._keys, q), self._keys.size - 1)
        return np.where(self._keys[i] == q, self._time[i], 0.0)
