"""Chain contraction and split matrix rows: the same fastest times and path lengths."""

from __future__ import annotations

import numpy as np
import pytest

from routing.network import matrix_parallel
from routing.network.contraction import contract
from routing.network.graph import RoadNetwork, build_network
from routing.network.matrix import contracted_rows, node_matrices
from routing.network.ways import OsmData, OsmWay
from tests.routing.network.test_matrix import brute_force


def streets() -> RoadNetwork:
    """A ladder of two long streets (one one-way) with rungs: many pass-through nodes."""
    ids, lon, lat = [], [], []
    for r in range(2):
        for c in range(12):
            ids.append(r * 100 + c + 1)
            lon.append(12.57 + 0.0009 * c)
            lat.append(55.69 + 0.002 * r)
    ways = [
        OsmWay(1, tuple(range(1, 13)), "residential"),
        OsmWay(2, tuple(range(101, 113)), "primary", oneway="yes"),
        OsmWay(3, (112, 12), "tertiary"),
        OsmWay(4, (1, 101), "tertiary"),
        OsmWay(5, (6, 106), "service"),
    ]
    osm = OsmData(np.array(ids), np.array(lon), np.array(lat), tuple(ways), "ladder")
    return build_network(osm, max_gap_m=0)


def test_contraction_drops_pass_through_nodes_but_keeps_wanted_ones() -> None:
    """Street-shaping nodes go, junctions and the nodes asked for stay."""
    net = streets()
    g = contract(net, [3, 15])
    assert g.n_nodes < net.n_nodes
    assert {3, 15} <= set(g.nodes.tolist())


def test_contracted_matrix_equals_brute_force() -> None:
    """Times and fastest-path lengths over the contracted graph equal Floyd-Warshall's."""
    net = streets()
    nodes = np.array([0, 3, 9, 14, 20, 23, 5])
    t, d = node_matrices(net, nodes)
    bt, bd = brute_force(net)
    assert t == pytest.approx(bt[np.ix_(nodes, nodes)])
    assert d == pytest.approx(bd[np.ix_(nodes, nodes)])


def test_rows_split_over_a_process_equal_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows computed half in a spawned worker are the rows computed in-process."""
    net = streets()
    g = contract(net, np.arange(net.n_nodes))
    targets = g.local(np.arange(net.n_nodes))
    monkeypatch.setattr(matrix_parallel, "MIN_ROWS_PER_WORKER", 4)
    t, d = matrix_parallel.split_rows(g, targets, workers=2)
    t1, d1 = contracted_rows(g, targets, targets)
    assert np.array_equal(t, t1) and np.array_equal(d, d1)
