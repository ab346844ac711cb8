"""Road geometry of routes: chained fastest paths between the snapped stops, on the real network."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pytest

from core.plan import DayPlan, PlanTotals, Stop, StopKind, VehicleRoute
from routing.network.geometry import route_geometry, routes_geometry, with_geometry
from routing.network.graph import RoadNetwork

T0 = datetime(2024, 5, 14, 4, tzinfo=UTC)


def _stops(net: RoadNetwork, nodes: list[int], offset: float = 0.0) -> list[Stop]:
    """Bin stops at ``nodes`` (shifted ``offset`` degrees off the node, as real bins are)."""
    return [
        Stop(
            k,
            StopKind.BIN,
            f"b{k}",
            None,
            "",
            float(net.lon[n]) + offset,
            float(net.lat[n]) + offset,
            T0,
            T0,
            0.0,
            0.0,
        )
        for k, n in enumerate(nodes)
    ]


def _coords(net: RoadNetwork, nodes: np.ndarray) -> list[tuple[float, float]]:
    return [
        (float(x), float(y))
        for x, y in zip(np.round(net.lon[nodes], 6), np.round(net.lat[nodes], 6), strict=True)
    ]


def _one_way_edge(net: RoadNetwork) -> tuple[int, int]:
    """A one-way street segment u -> v whose reverse trip is longer than one edge."""
    for e in np.flatnonzero(net.edge_oneway):
        u, v = int(net.edge_src[e]), int(net.edge_dst[e])
        if net.path(v, u).nodes.size > 3:
            return u, v
    raise AssertionError("no one-way street in the network")


def test_geometry_runs_from_first_to_last_snapped_stop(copenhagen: RoadNetwork) -> None:
    """The line starts at the first stop's snapped node, ends at the last's, has no repeats."""
    rng = np.random.default_rng(3)
    nodes = rng.choice(copenhagen.n_nodes, 6, replace=False).tolist()
    stops = _stops(copenhagen, nodes, offset=2e-5)
    line = route_geometry(copenhagen, stops)
    first = copenhagen.snap(stops[0].lon, stops[0].lat)[0]
    last = copenhagen.snap(stops[-1].lon, stops[-1].lat)[0]
    assert line[0] == _coords(copenhagen, np.array([first]))[0]
    assert line[-1] == _coords(copenhagen, np.array([last]))[0]
    assert len(line) > len(stops)
    assert all(a != b for a, b in zip(line[:-1], line[1:], strict=True))


def test_geometry_chains_the_network_fastest_paths(copenhagen: RoadNetwork) -> None:
    """Each leg is exactly ``net.path`` between consecutive stop nodes (nothing shortcut)."""
    rng = np.random.default_rng(4)
    nodes = rng.choice(copenhagen.n_nodes, 5, replace=False).tolist()
    expected = [nodes[0]]
    for a, b in zip(nodes[:-1], nodes[1:], strict=True):
        expected += copenhagen.path(a, b).nodes[1:].tolist()
    line = route_geometry(copenhagen, _stops(copenhagen, nodes))
    assert list(line) == _coords(copenhagen, np.array(expected))


def test_geometry_follows_one_way_streets(copenhagen: RoadNetwork) -> None:
    """Along a one-way segment the line is the segment; against it, the legal detour."""
    u, v = _one_way_edge(copenhagen)
    forward, back = routes_geometry(
        copenhagen, [_stops(copenhagen, [u, v]), _stops(copenhagen, [v, u])]
    )
    assert list(forward) == _coords(copenhagen, np.array([u, v]))
    assert list(back) == _coords(copenhagen, copenhagen.path(v, u).nodes)
    assert len(back) > 3


def test_legs_beyond_the_first_search_bound_are_still_routed(copenhagen: RoadNetwork) -> None:
    """A search bound far below the leg times changes nothing (second, unbounded pass)."""
    rng = np.random.default_rng(5)
    stops = _stops(copenhagen, rng.choice(copenhagen.n_nodes, 4, replace=False).tolist())
    assert routes_geometry(copenhagen, [stops], limit_s=1.0) == routes_geometry(copenhagen, [stops])


def test_short_routes_and_repeated_stops(copenhagen: RoadNetwork) -> None:
    """No stops: empty; one stop or the same node twice: its single node."""
    one = _stops(copenhagen, [10])
    assert routes_geometry(copenhagen, [[], one, one + one]) == [
        (),
        tuple(_coords(copenhagen, np.array([10]))),
        tuple(_coords(copenhagen, np.array([10]))),
    ]


def test_with_geometry_fills_every_route_and_keeps_the_rest(copenhagen: RoadNetwork) -> None:
    """Every route of the plan gets its line; stops and figures are unchanged."""
    routes = tuple(
        VehicleRoute(v, "D", tuple(_stops(copenhagen, nodes)), 1.0, 1.0, 1.0, 1.0)
        for v, nodes in (("T1", [1, 200, 3000]), ("T2", [5000, 60]))
    )
    plan = DayPlan(date(2024, 5, 14), "test", 0, routes, PlanTotals(0, 0, 0, 0, 0, 0, 0, 0, 0))
    out = with_geometry(plan, copenhagen)
    assert [r.geometry for r in out.routes] == routes_geometry(
        copenhagen, [r.stops for r in routes]
    )
    assert [r.stops for r in out.routes] == [r.stops for r in routes]
    assert all(r.geometry is None for r in plan.routes)


def test_bad_parameters_are_refused(copenhagen: RoadNetwork) -> None:
    """Negative rounding or a non-positive search bound is a ValueError."""
    with pytest.raises(ValueError, match="decimals"):
        routes_geometry(copenhagen, [], decimals=-1)
    with pytest.raises(ValueError, match="limit_s"):
        routes_geometry(copenhagen, [], limit_s=0)
