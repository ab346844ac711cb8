"""Tests for routing.network.graph: graph building rules, snapping, paths, sampling."""

from __future__ import annotations

import numpy as np
import pytest

from core.geo import haversine_m
from routing.network.graph import RoadNetwork, build_network
from routing.network.osm import parse_overpass
from routing.network.ways import NetworkError, OsmData, OsmWay, parse_maxspeed, way_directions

ARC_LON, ARC_LAT = 12.6206, 55.6847


def tiny_osm() -> OsmData:
    """Four nodes on a ~100 m square; 1->2 is one-way, the rest two-way."""
    ids = np.array([1, 2, 3, 4], dtype=np.int64)
    lon = np.array([12.5700, 12.5716, 12.5716, 12.5700])
    lat = np.array([55.6900, 55.6900, 55.6909, 55.6909])
    ways = (
        OsmWay(10, (1, 2), "residential", oneway="yes", name="Avej"),
        OsmWay(11, (2, 3), "residential", name="Bvej"),
        OsmWay(12, (3, 4), "primary", maxspeed="DK:urban", name="Cvej"),
        OsmWay(13, (4, 1), "residential", name="Dvej"),
        OsmWay(14, (1, 3), "footway", name="Sti"),
    )
    return OsmData(ids, lon, lat, ways, digest="tiny")


def test_oneway_edge_exists_only_forward() -> None:
    """A oneway=yes way gives an edge in its direction and none against it."""
    net = build_network(tiny_osm(), max_gap_m=0)
    pairs = set(
        zip(net.osm_id[net.edge_src].tolist(), net.osm_id[net.edge_dst].tolist(), strict=True)
    )
    assert (1, 2) in pairs
    assert (2, 1) not in pairs
    assert (2, 3) in pairs and (3, 2) in pairs


def test_footway_is_not_drivable() -> None:
    """Ways of non-drivable classes are left out of the graph."""
    net = build_network(tiny_osm(), max_gap_m=0)
    assert "footway" not in net.edge_highway


def test_oneway_makes_reverse_trip_go_around() -> None:
    """Going 2 -> 1 against the one-way takes the three other sides of the square."""
    net = build_network(tiny_osm(), max_gap_m=0)
    idx = {int(o): i for i, o in enumerate(net.osm_id)}
    forward = net.path(idx[1], idx[2])
    back = net.path(idx[2], idx[1])
    assert forward.nodes.tolist() == [idx[1], idx[2]]
    assert [int(net.osm_id[n]) for n in back.nodes] == [2, 3, 4, 1]
    assert back.distance_m > 2.5 * forward.distance_m


def test_edge_length_is_haversine_and_time_uses_speed() -> None:
    """Edge length is the great-circle segment length; time = length / (speed x factor)."""
    net = build_network(tiny_osm(), speed_factor=1.0, max_gap_m=0)
    k = net.edge_highway.index("primary")
    s, d = net.edge_src[k], net.edge_dst[k]
    expected = float(haversine_m(net.lon[s], net.lat[s], net.lon[d], net.lat[d]))
    assert net.edge_length_m[k] == pytest.approx(expected)
    assert net.edge_time_s[k] == pytest.approx(expected / (50 / 3.6))


@pytest.mark.parametrize(
    ("value", "kmh"), [("50", 50.0), ("DK:urban", 50.0), ("30 mph", 48.28), ("signals", None)]
)
def test_parse_maxspeed(value: str, kmh: float | None) -> None:
    """Numeric, mph and Danish zone values parse; unusable values give None."""
    got = parse_maxspeed(value)
    assert got == (None if kmh is None else pytest.approx(kmh, abs=0.01))


def test_roundabout_and_reverse_oneway_directions() -> None:
    """junction=roundabout implies one-way; oneway=-1 reverses the way."""
    assert way_directions(OsmWay(1, (1, 2), "tertiary", junction="roundabout")) == (True, False)
    assert way_directions(OsmWay(1, (1, 2), "tertiary", oneway="-1")) == (False, True)
    assert way_directions(OsmWay(1, (1, 2), "tertiary")) == (True, True)


def test_largest_strongly_connected_component_only() -> None:
    """A dead-end one-way spur (no way back) is dropped from the graph."""
    base = tiny_osm()
    osm = OsmData(
        np.append(base.node_ids, 5),
        np.append(base.lon, 12.5690),
        np.append(base.lat, 55.6895),
        (*base.ways, OsmWay(15, (1, 5), "residential", oneway="yes")),
        "spur",
    )
    net = build_network(osm, max_gap_m=0)
    assert 5 not in net.osm_id.tolist()
    assert net.n_nodes == 4


def test_no_drivable_ways_raises() -> None:
    """An extract with only footways cannot make a network."""
    osm = OsmData(
        np.array([1, 2]),
        np.array([12.5, 12.51]),
        np.array([55.6, 55.6]),
        (OsmWay(1, (1, 2), "footway"),),
    )
    with pytest.raises(NetworkError):
        build_network(osm)


def test_parse_overpass_reads_nodes_and_ways() -> None:
    """Overpass elements become node arrays and ways with their tags."""
    obj = {
        "elements": [
            {"type": "node", "id": 1, "lon": 12.5, "lat": 55.6},
            {"type": "node", "id": 2, "lon": 12.6, "lat": 55.7},
            {
                "type": "way",
                "id": 9,
                "nodes": [1, 2],
                "tags": {"highway": "tertiary", "oneway": "yes", "maxspeed": "40", "name": "X"},
            },
            {"type": "way", "id": 8, "nodes": [1, 2], "tags": {"building": "yes"}},
        ]
    }
    osm = parse_overpass(obj)
    assert osm.node_ids.tolist() == [1, 2]
    assert len(osm.ways) == 1
    assert osm.ways[0] == OsmWay(9, (1, 2), "tertiary", "yes", "40", "X", "")


def test_snap_returns_nearest_node_and_distance() -> None:
    """A point next to node 3 snaps to it, with the metric distance."""
    net = build_network(tiny_osm(), max_gap_m=0)
    node, dist = net.snap(12.5717, 55.6909)
    assert int(net.osm_id[node]) == 3
    assert dist == pytest.approx(float(haversine_m(12.5717, 55.6909, 12.5716, 55.6909)), rel=0.01)


def test_copenhagen_network_reaches_the_disposal_site(copenhagen: RoadNetwork) -> None:
    """ARC Amager Bakke snaps within 400 m and is reachable both ways from the centre."""
    arc, dist = copenhagen.snap(ARC_LON, ARC_LAT)
    centre, _ = copenhagen.snap(12.568, 55.690)
    assert dist < 400
    there, back = copenhagen.path(centre, arc), copenhagen.path(arc, centre)
    assert 3_000 < there.distance_m < 20_000
    assert back.time_s > 0


def test_copenhagen_network_shape(copenhagen: RoadNetwork) -> None:
    """The merged network is large, strongly connected and respects real one-ways."""
    assert copenhagen.n_nodes > 10_000
    assert copenhagen.edge_oneway.any()
    assert (copenhagen.edge_time_s > 0).all() and (copenhagen.edge_length_m > 0).all()
    assert len(copenhagen.version) == 16


def test_snap_many_matches_snap(copenhagen: RoadNetwork) -> None:
    """The vectorised snap agrees with the scalar one."""
    lon = np.array([12.55, 12.57, 12.59])
    lat = np.array([55.69, 55.70, 55.68])
    nodes, dists = copenhagen.snap_many(lon, lat)
    for k in range(3):
        assert copenhagen.snap(lon[k], lat[k]) == (nodes[k], pytest.approx(dists[k]))


def test_sample_street_points_lie_on_named_edges(copenhagen: RoadNetwork) -> None:
    """Sampled points are seeded-reproducible and lie between their edge's end nodes."""
    a = copenhagen.sample_street_points(np.random.default_rng(1), 200)
    b = copenhagen.sample_street_points(np.random.default_rng(1), 200)
    assert np.array_equal(a.lon, b.lon)
    s, d = copenhagen.edge_src[a.edge], copenhagen.edge_dst[a.edge]
    lo, hi = (
        np.minimum(copenhagen.lon[s], copenhagen.lon[d]),
        np.maximum(copenhagen.lon[s], copenhagen.lon[d]),
    )
    assert ((a.lon >= lo - 1e-12) & (a.lon <= hi + 1e-12)).all()
    assert sum(bool(n) for n in a.street) > 150


def test_path_cumulative_time_matches_edges(copenhagen: RoadNetwork) -> None:
    """A path's cumulative time increases and ends at the dijkstra optimum."""
    from scipy.sparse.csgraph import dijkstra

    p = copenhagen.path(0, 5000)
    best = dijkstra(copenhagen.time_csr, indices=0)[5000]
    assert np.all(np.diff(p.cum_time_s) > 0)
    assert p.time_s == pytest.approx(best)
    assert copenhagen.street_name(int(p.nodes[-1])) == copenhagen.node_street[int(p.nodes[-1])]
