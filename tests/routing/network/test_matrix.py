"""Tests for routing.network.matrix and routing.network.matrix_cache."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from routing.network.graph import RoadNetwork, build_network
from routing.network.matrix import MatrixError, node_matrices, travel_from, travel_matrix
from routing.network.matrix_cache import cached_travel_matrix, load
from routing.network.ways import OsmData, OsmWay


def grid_network() -> RoadNetwork:
    """A 3x3 grid (~110 m spacing) with one one-way street along the bottom row."""
    ids, lon, lat = [], [], []
    for r, c in itertools.product(range(3), range(3)):
        ids.append(r * 3 + c + 1)
        lon.append(12.57 + 0.0018 * c)
        lat.append(55.69 + 0.001 * r)
    ways = []
    for r in range(3):
        ways.append(
            OsmWay(
                100 + r,
                tuple(r * 3 + c + 1 for c in range(3)),
                "residential",
                oneway="yes" if r == 0 else "",
            )
        )
    for c in range(3):
        ways.append(OsmWay(200 + c, tuple(r * 3 + c + 1 for r in range(3)), "tertiary"))
    osm = OsmData(np.array(ids), np.array(lon), np.array(lat), tuple(ways), "grid")
    return build_network(osm, max_gap_m=0)


def brute_force(net: RoadNetwork) -> tuple[np.ndarray, np.ndarray]:
    """All-pairs fastest times and their path lengths by Floyd-Warshall with tie-free weights."""
    n = net.n_nodes
    t = np.full((n, n), np.inf)
    d = np.full((n, n), np.inf)
    np.fill_diagonal(t, 0)
    np.fill_diagonal(d, 0)
    for s, e, w, ln in zip(
        net.edge_src, net.edge_dst, net.edge_time_s, net.edge_length_m, strict=True
    ):
        t[s, e], d[s, e] = w, ln
    for k in range(n):
        via = t[:, [k]] + t[[k], :]
        better = via < t - 1e-9
        t = np.where(better, via, t)
        d = np.where(better, d[:, [k]] + d[[k], :], d)
    return t, d


def test_node_matrices_match_brute_force() -> None:
    """Dijkstra times and fastest-path lengths equal a Floyd-Warshall brute force."""
    net = grid_network()
    nodes = np.arange(net.n_nodes)
    t, d = node_matrices(net, nodes)
    bt, bd = brute_force(net)
    assert np.allclose(t, bt)
    assert np.allclose(d, bd)


def test_oneway_makes_matrix_asymmetric_and_two_way_symmetric() -> None:
    """Against the one-way row the trip is longer; along two-way columns it is symmetric."""
    net = grid_network()
    idx = {int(o): i for i, o in enumerate(net.osm_id)}
    t, _ = node_matrices(net, np.array([idx[1], idx[2], idx[4], idx[7]]))
    assert t[1, 0] > t[0, 1]  # 2 -> 1 against the bottom one-way
    assert t[2, 3] == pytest.approx(t[3, 2])  # 4 <-> 7 on a two-way column


def test_triangle_inequality_holds() -> None:
    """No fastest time exceeds any two-leg detour through a third point."""
    net = grid_network()
    t, _ = node_matrices(net, np.arange(net.n_nodes))
    n = t.shape[0]
    for i, j, k in itertools.product(range(n), repeat=3):
        assert t[i, j] <= t[i, k] + t[k, j] + 1e-9


def test_off_network_points_use_flagged_fallback() -> None:
    """A point 1 km from the grid is flagged and gets crow-fly x detour at the fallback speed."""
    net = grid_network()
    lon = np.array([12.57, 12.5736, 12.57])
    lat = np.array([55.69, 55.692, 55.699])  # last point ~1 km north
    m = travel_matrix(net, lon, lat, max_snap_m=250, fallback_speed_kmh=18, detour=1.5)
    assert m.off_network.tolist() == [False, False, True]
    assert m.dist_m[0, 2] == pytest.approx(1.5 * 1000.8, rel=0.01)
    assert m.time_s[0, 2] == pytest.approx(m.dist_m[0, 2] / 5.0)
    assert np.all(np.diag(m.time_s) == 0)


def test_travel_from_equals_the_matrix_row() -> None:
    """One point's travel to others equals its travel_matrix row, fallback included."""
    net = grid_network()
    lon = np.array([12.5701, 12.5735, 12.5719, 12.60])
    lat = np.array([55.6901, 55.6921, 55.6899, 55.70])  # the last one is far off the grid
    m = travel_matrix(net, lon, lat, max_snap_m=200)
    for i in range(lon.size):
        t, d = travel_from(net, lon[i], lat[i], lon, lat, max_snap_m=200)
        off_diag = np.arange(lon.size) != i
        np.testing.assert_allclose(t[off_diag], m.time_s[i, off_diag])
        np.testing.assert_allclose(d[off_diag], m.dist_m[i, off_diag])


def test_duplicate_points_share_a_node() -> None:
    """Repeated points give zero travel between them and identical rows."""
    net = grid_network()
    m = travel_matrix(net, [12.57, 12.57, 12.5736], [55.69, 55.69, 55.692])
    assert m.time_s[0, 1] == 0 and np.array_equal(m.time_s[0], m.time_s[1])


def test_bad_arguments_raise() -> None:
    """Mismatched coordinate arrays are refused."""
    with pytest.raises(MatrixError):
        travel_matrix(grid_network(), [12.57, 12.58], [55.69])


def test_cache_round_trip(tmp_path: Path) -> None:
    """A cached matrix is written once and read back identical."""
    net = grid_network()
    lon, lat = [12.57, 12.5736], [55.69, 55.692]
    first = cached_travel_matrix(tmp_path, net, lon, lat)
    files = list(tmp_path.glob("*.npz"))
    assert len(files) == 1
    again = load(files[0])
    assert again is not None and np.array_equal(again.time_s, first.time_s)
    assert np.array_equal(cached_travel_matrix(tmp_path, net, lon, lat).dist_m, first.dist_m)


@pytest.mark.slow
def test_copenhagen_matrix_1050_points_is_consistent(copenhagen: RoadNetwork) -> None:
    """A 1,050-point matrix on the real network is finite and agrees with single paths
    (its speed is measured by benchmarks/plan_day.py)."""
    pts = copenhagen.sample_street_points(np.random.default_rng(7), 1050)
    m = travel_matrix(copenhagen, pts.lon, pts.lat)
    assert np.isfinite(m.time_s).all() and not m.off_network.any()
    p = copenhagen.path(int(m.nodes[3]), int(m.nodes[700]))
    assert m.dist_m[3, 700] == pytest.approx(p.distance_m)
    assert m.time_s[3, 700] == pytest.approx(p.time_s)
