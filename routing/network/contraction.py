"""Chain contraction of the road graph around the nodes a matrix needs. Pure (numpy, scipy).

Most nodes of an OSM street graph only shape a street: a one-way node with one way in and one
way out, or a two-way node joined to exactly two neighbours both ways. A fastest path through
such a node is forced to go on along the street (turning back is never fastest), so replacing
each maximal chain of them by one edge -- time and length summed along the chain -- keeps every
fastest time and the length of every fastest path between the kept nodes. Nodes a caller needs
(snapped matrix points) are always kept. On the demo city's network this leaves about a third of
the nodes, and Dijkstra plus the path-length pass shrink with it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix

from routing.network.graph import RoadNetwork
from routing.network.ways import FloatArray, IntArray


@dataclass(frozen=True)
class ContractedGraph:
    """The kept nodes (original indices, in order) and the edges between them (local indices)."""

    nodes: IntArray
    edge_src: IntArray
    edge_dst: IntArray
    edge_time_s: FloatArray
    edge_length_m: FloatArray

    @property
    def n_nodes(self) -> int:
        return int(self.nodes.size)

    @property
    def time_csr(self) -> csr_matrix:
        n = self.n_nodes
        return csr_matrix((self.edge_time_s, (self.edge_src, self.edge_dst)), shape=(n, n))

    def local(self, original: npt.ArrayLike) -> IntArray:
        """Local indices of original node indices (all must be kept nodes)."""
        original = np.asarray(original, dtype=np.int64)
        pos = np.searchsorted(self.nodes, original)
        if np.any(pos >= self.nodes.size) or np.any(
            self.nodes[np.minimum(pos, self.nodes.size - 1)] != original
        ):
            raise ValueError("some nodes were not kept by the contraction")
        return pos.astype(np.int64)


def _chain_nodes(net: RoadNetwork) -> tuple[npt.NDArray[np.bool_], IntArray, IntArray]:
    """Which nodes are pass-through street nodes, and each node's first two out-neighbours."""
    n = net.n_nodes
    src, dst = net.edge_src, net.edge_dst
    indeg = np.bincount(dst, minlength=n)
    outdeg = np.bincount(src, minlength=n)
    by_src = np.lexsort((dst, src))
    by_dst = np.lexsort((src, dst))
    out_ptr = np.concatenate([[0], np.cumsum(outdeg)])
    in_ptr = np.concatenate([[0], np.cumsum(indeg)])
    out_nb = dst[by_src]
    in_nb = src[by_dst]

    def nth(ptr: IntArray, nb: IntArray, deg: IntArray, k: int) -> IntArray:
        out = np.full(n, -1, dtype=np.int64)
        has = deg > k
        out[has] = nb[ptr[:-1][has] + k]
        return out

    o0, o1 = nth(out_ptr, out_nb, outdeg, 0), nth(out_ptr, out_nb, outdeg, 1)
    i0, i1 = nth(in_ptr, in_nb, indeg, 0), nth(in_ptr, in_nb, indeg, 1)
    one_way = (indeg == 1) & (outdeg == 1) & (i0 != o0)
    two_way = (indeg == 2) & (outdeg == 2) & (i0 == o0) & (i1 == o1)  # both sorted
    return one_way | two_way, o0, o1


def contract(net: RoadNetwork, keep: npt.ArrayLike) -> ContractedGraph:
    """The graph over ``keep`` and every node that is not a pass-through street node."""
    n = net.n_nodes
    chain, o0, o1 = _chain_nodes(net)
    kept = ~chain
    kept[np.asarray(keep, dtype=np.int64)] = True
    nodes = np.flatnonzero(kept)
    local = np.full(n, -1, dtype=np.int64)
    local[nodes] = np.arange(nodes.size)
    # (u, v) -> edge index, to read the time and length of each chain step
    key = net.edge_src * n + net.edge_dst
    order = np.argsort(key)
    skey = key[order]
    time_of, len_of = net.edge_time_s, net.edge_length_m

    start = np.flatnonzero(kept[net.edge_src])
    direct = start[kept[net.edge_dst[start]]]
    walk = start[~kept[net.edge_dst[start]]]
    src_l = [local[net.edge_src[direct]]]
    dst_l = [local[net.edge_dst[direct]]]
    t_l = [time_of[direct]]
    d_l = [len_of[direct]]
    # chains: a Python walk, one step per chain edge (about the number of edges in total)
    o0_l, o1_l, kept_l = o0.tolist(), o1.tolist(), kept.tolist()
    steps: list[tuple[int, int]] = []
    ends: list[int] = []
    heads: list[int] = []
    for e in walk.tolist():
        prev, cur = int(net.edge_src[e]), int(net.edge_dst[e])
        heads.append(e)
        for _ in range(n):
            if kept_l[cur]:
                break
            nxt = o0_l[cur] if o0_l[cur] != prev else o1_l[cur]
            if o1_l[cur] == -1:
                nxt = o0_l[cur]
            steps.append((len(heads) - 1, cur * n + nxt))
            prev, cur = cur, nxt
        ends.append(cur)
    if heads:
        h = np.asarray(heads, dtype=np.int64)
        t = time_of[h].copy()
        d = len_of[h].copy()
        if steps:
            arr = np.asarray(steps, dtype=np.int64)
            e_idx = order[np.searchsorted(skey, arr[:, 1])]
            np.add.at(t, arr[:, 0], time_of[e_idx])
            np.add.at(d, arr[:, 0], len_of[e_idx])
        src_l.append(local[net.edge_src[h]])
        dst_l.append(local[np.asarray(ends, dtype=np.int64)])
        t_l.append(t)
        d_l.append(d)
    s, dd = np.concatenate(src_l), np.concatenate(dst_l)
    t, ln = np.concatenate(t_l), np.concatenate(d_l)
    ok = (s != dd) & (dd >= 0)
    s, dd, t, ln = s[ok], dd[ok], t[ok], ln[ok]
    # parallel chains between the same two nodes: keep the fastest
    o = np.lexsort((t, dd, s))
    s, dd, t, ln = s[o], dd[o], t[o], ln[o]
    first = np.ones(s.size, dtype=bool)
    first[1:] = (s[1:] != s[:-1]) | (dd[1:] != dd[:-1])
    return ContractedGraph(nodes, s[first], dd[first], t[first], ln[first])
