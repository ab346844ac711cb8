"""Re-planning builds the rest of the day with the day plan's builder, from where trucks are."""

from __future__ import annotations

from datetime import timedelta

import pytest

from routing.planning.day_problem import DayConfig, DayProblem, build_day_problem, day_plan
from routing.planning.replan import TruckState, replan
from routing.vrp import engines
from routing.vrp.checker import check
from routing.vrp.model import LocationKind
from tests.cities import COPENHAGEN_TZ as TZ
from tests.routing.planning.test_day_problem import (
    ARC,
    BINS,
    DAY,
    DEPOT,
    TRUCK,
    TRUCK2,
    line_matrix,
    selection,
)


@pytest.fixture
def problem() -> DayProblem:
    """B0, B1 required, B2 optional; trucks T1 and T2 of 250 l at D1; a 10-minute break."""
    config = DayConfig(TZ, unload_s=600, metres_per_litre=10.0, break_s=600)
    sel = selection(("B0", "B1"), {"B2": 90.0})
    return build_day_problem(
        DAY, BINS, sel, [TRUCK, TRUCK2], [DEPOT], [ARC], line_matrix(6), config=config
    )


def _at(problem: DayProblem, loc: int, load_l: float, vehicle_id: str = "T1") -> TruckState:
    """A truck standing at location ``loc`` of ``problem`` with ``load_l`` litres on board."""
    return TruckState(
        vehicle_id,
        12.551,
        55.69,
        "Nørregade",
        load_l,
        load_l * 0.07,
        problem.data.duration[loc].astype(float),
        problem.data.distance[loc].astype(float),
    )


@pytest.mark.parametrize("name", engines.GENERAL)
def test_replan_starts_the_truck_where_it_is_with_its_load(problem: DayProblem, name: str) -> None:
    """A truck at B0 carrying 200 of 250 l leaves from there, unloads first, and ends at home."""
    b0 = next(c.location for c in problem.data.clients if c.name == "B0")
    now = problem.midnight + timedelta(hours=7)
    new = replan(problem, now, [_at(problem, b0, 200.0)], emptied={"B0"})
    data = new.data
    (vt,) = data.vehicle_types
    assert data.kinds[vt.start_location] == LocationKind.PLAIN  # no fake depot
    assert [d.name for d in data.depots] == ["D1"] and vt.end_location == vt.depot
    assert (vt.capacity, vt.initial_load) == ((250, 100), (200, 14))  # 200 l x 0.07 kg/l
    assert vt.shift_start_s == 7 * 3600
    old_b1, b1 = (
        next(c.location for c in d.clients if c.name == "B1") for d in (problem.data, data)
    )
    assert data.duration[vt.start_location, b1] == problem.data.duration[b0, old_b1]
    sol = engines.get(name)(data, 0.3, 1)
    assert check(data, sol) == []
    (route,) = sol.routes
    assert route.visits[0].kind == LocationKind.DISPOSAL  # 200 + 90 l would not fit
    (r,) = day_plan(new, sol, set()).routes
    assert (r.stops[0].site_id, r.stops[0].load_after_l) == ("T1:start", 200)
    assert r.stops[0].eta >= now
    assert (r.stops[-1].site_id, r.depot_id) == ("D1", "D1")


def test_replan_uses_the_day_plans_builder(problem: DayProblem) -> None:
    """At shift start from the depots the re-plan is the day problem, but for plain starts."""
    depot = problem.depot_location["D1"]
    start = problem.midnight + timedelta(hours=6)
    states = [_at(problem, depot, 0.0, v) for v in ("T1", "T2")]
    new = replan(problem, start, states, emptied=set())
    old, data = problem.data, new.data
    assert data.clients == old.clients and data.disposal_sites == old.disposal_sites
    assert data.driver_break == old.driver_break
    (day_type,) = old.vehicle_types
    assert new.vehicle_ids == (("T1",), ("T2",))
    for vt in data.vehicle_types:
        assert data.kinds[vt.start_location] == LocationKind.PLAIN
        assert vt.initial_load == (0, 0)
        same = ("capacity", "shift_start_s", "shift_end_s", "fixed_cost", "co2_g_per_km")
        assert all(getattr(vt, f) == getattr(day_type, f) for f in same)
        moved = data.duration[vt.start_location, : old.num_locations]
        assert moved.tolist() == old.duration[depot].tolist()
    with pytest.raises(ValueError, match="original problem"):
        replan(new, start, [_at(problem, depot, 0.0)], set())
