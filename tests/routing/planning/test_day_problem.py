"""The pure day plan: problem building, route lists, totals, CO2 and overflow counts."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from core.domain import Bin, Site, Vehicle, VehicleKind
from core.plan import StopKind
from forecasting.forecast import FillForecast, ForecastMethod, WeeklyProfile
from routing.network.matrix import TravelMatrix
from routing.planning.day_problem import (
    DayConfig,
    DayProblem,
    bin_load,
    build_day_problem,
    day_plan,
    matrix_points,
    overflow_risk,
    plan_totals,
)
from routing.planning.replan import TruckState, replan
from routing.planning.selection import Reason, Selection
from routing.vrp.checker import check
from routing.vrp.model import LocationKind
from routing.vrp.solution import make_route, make_solution
from tests.cities import COPENHAGEN_TZ as TZ

DAY = date(2024, 5, 14)
CONFIG = DayConfig(TZ)
DEPOT = Site("D1", "Depot", 12.50, 55.70)
ARC = Site("ARC", "ARC Amager Bakke", 12.62, 55.68)
BINS = tuple(
    Bin(
        f"B{k}",
        12.55 + 0.001 * k,
        55.69,
        f"Street {k}",
        "Indre By",
        capacity_l=100.0,
        service_s=60.0,
    )
    for k in range(4)
)
TRUCK = Vehicle(
    "T1",
    VehicleKind.WASTE_TRUCK,
    "D1",
    capacity_l=250.0,
    capacity_kg=100.0,
    shift_start_h=6.0,
    shift_end_h=14.0,
    co2_g_per_km=1000.0,
)
TRUCK2 = Vehicle(
    "T2",
    VehicleKind.WASTE_TRUCK,
    "D1",
    capacity_l=250.0,
    capacity_kg=100.0,
    shift_start_h=6.0,
    shift_end_h=14.0,
    co2_g_per_km=1000.0,
)
CLEANER = Vehicle("C1", VehicleKind.STREET_CLEANER, "D1")


def line_matrix(n: int) -> TravelMatrix:
    """Points on a line 1 km apart, 100 s per km."""
    x = np.arange(n, dtype=float)
    dist = np.abs(x[:, None] - x[None, :]) * 1000.0
    return TravelMatrix(dist / 10.0, dist, np.arange(n), np.zeros(n), np.zeros(n, dtype=bool))


def selection(required: tuple[str, ...], optional: dict[str, float]) -> Selection:
    ids = (*required, *optional)
    reasons = {b.bin_id: Reason.NOT_WORTH for b in BINS}
    reasons.update({b: Reason.URGENT for b in required})
    reasons.update({b: Reason.OPTIONAL for b in optional})
    return Selection(required, optional, reasons, {b: 90.0 for b in ids})


@pytest.fixture
def problem() -> DayProblem:
    """B0, B1 required (90 l each), B2 optional; one truck of 250 l and a street cleaner."""
    streets = ["Depot Road", "Vejlands Allé", "Nørregade", "Østergade", "", "Fifth"]
    return build_day_problem(
        DAY,
        BINS,
        selection(("B0", "B1"), {"B2": 90.0}),
        [TRUCK, CLEANER],
        [DEPOT],
        [ARC],
        line_matrix(6),
        streets,
        DayConfig(TZ, unload_s=600, metres_per_litre=10.0),
    )


def test_matrix_points_order_depots_disposal_then_bins() -> None:
    """Matrix points are depots, disposal sites, then every inventory bin."""
    lon, lat = matrix_points(BINS, [DEPOT], [ARC])
    assert lon.tolist() == [DEPOT.lon, ARC.lon, *(b.lon for b in BINS)]
    assert lat[0] == DEPOT.lat


def test_bin_load_estimates_kg_from_litres_with_density() -> None:
    """Demand is (litres, kg) rounded up, kg = litres x density."""
    assert bin_load(90.0, 0.07) == (90, 7)
    assert bin_load(100.4, 0.07) == (101, 8)


def test_problem_has_selected_bins_trucks_and_unload(problem: DayProblem) -> None:
    """Only waste trucks become vehicles; required/optional, prizes and demands follow selection."""
    data = problem.data
    assert problem.vehicle_ids == (("T1",),)
    assert data.vehicle_types[0].capacity == (250, 100)
    assert (data.vehicle_types[0].shift_start_s, data.vehicle_types[0].shift_end_s) == (
        6 * 3600,
        14 * 3600,
    )
    clients = {problem.location_bin[c.location].bin_id: c for c in data.clients}
    assert sorted(clients) == ["B0", "B1", "B2"]
    assert clients["B0"].required and not clients["B2"].required
    assert clients["B2"].prize == 900
    assert clients["B1"].demand == (90, math.ceil(90 * 0.07))
    assert data.disposal_sites[0].unload_s == 600
    assert problem.location_street[clients["B0"].location] == "Nørregade"
    assert problem.location_street[clients["B2"].location] == "Street 2"  # point 4 has no name


def test_empty_street_name_falls_back_to_registered_street() -> None:
    """A matrix point without a network street name uses the bin's registered street."""
    streets = ["", "", "", "", "", ""]
    p = build_day_problem(
        DAY, BINS, selection(("B2",), {}), [TRUCK], [DEPOT], [ARC], line_matrix(6), streets, CONFIG
    )
    assert p.location_street[p.data.clients[0].location] == "Street 2"


def test_identical_trucks_share_a_type_and_routes_get_their_ids() -> None:
    """Two identical trucks form one vehicle type; its routes map to T1 then T2."""
    p = build_day_problem(
        DAY,
        BINS,
        selection(("B0", "B1"), {}),
        [TRUCK2, TRUCK],
        [DEPOT],
        [ARC],
        line_matrix(6),
        config=CONFIG,
    )
    assert p.vehicle_ids == (("T1", "T2"),)
    (b0, b1), arc = [c.location for c in p.data.clients], p.data.disposal_sites[0].location
    routes = [make_route(p.data, 0, [b0, arc]), make_route(p.data, 0, [b1, arc])]
    plan = day_plan(p, make_solution(p.data, routes, "test", 0.0), set())
    assert [r.vehicle_id for r in plan.routes] == ["T1", "T2"]
    assert plan.routes[1].bin_ids == ("B1",)


def test_matrix_of_the_wrong_size_is_refused() -> None:
    """A matrix not over matrix_points raises ValueError saying so."""
    with pytest.raises(ValueError, match="matrix has 5 points"):
        build_day_problem(
            DAY,
            BINS,
            selection(("B0",), {}),
            [TRUCK],
            [DEPOT],
            [ARC],
            line_matrix(5),
            config=CONFIG,
        )


def test_no_waste_truck_is_refused() -> None:
    """Planning with street cleaners only raises ValueError."""
    with pytest.raises(ValueError, match="no waste trucks"):
        build_day_problem(
            DAY,
            BINS,
            selection(("B0",), {}),
            [CLEANER],
            [DEPOT],
            [ARC],
            line_matrix(6),
            config=CONFIG,
        )


def test_route_list_has_depot_bins_unloads_and_return(problem: DayProblem) -> None:
    """Stops run depot, bins and unloads in order, depot; ETAs, loads and streets follow."""
    data = problem.data
    loc = {problem.location_bin[c.location].bin_id: c.location for c in data.clients}
    arc = data.disposal_sites[0].location
    route = make_route(data, 0, [loc["B0"], loc["B1"], arc, loc["B2"], arc], start_s=6 * 3600)
    sol = make_solution(data, [route], "test", 0.0)
    assert check(data, sol) == []
    plan = day_plan(problem, sol, at_risk={"B1", "B3"}, time_limit_s=2.0)
    (r,) = plan.routes
    kinds = [s.kind for s in r.stops]
    assert kinds == [
        StopKind.DEPOT,
        StopKind.BIN,
        StopKind.BIN,
        StopKind.DISPOSAL,
        StopKind.BIN,
        StopKind.DISPOSAL,
        StopKind.DEPOT,
    ]
    assert [s.seq for s in r.stops] == list(range(7))
    assert r.bin_ids == ("B0", "B1", "B2")
    assert [s.load_after_l for s in r.stops] == [0, 90, 180, 0, 90, 0, 0]
    assert r.stops[2].load_after_kg == 2 * math.ceil(90 * 0.07)
    assert r.stops[3].site_id == "ARC" and r.stops[0].site_id == "D1"
    assert r.stops[1].street == "Nørregade"
    midnight = datetime(2024, 5, 14, tzinfo=r.stops[0].eta.tzinfo)
    # depot (point 0) -> B0 (point 2): 2 km at 100 s/km
    assert r.stops[1].eta == midnight + timedelta(hours=6, seconds=200)
    assert r.stops[1].departs == r.stops[1].eta + timedelta(seconds=60)
    assert r.stops[0].eta.utcoffset() == timedelta(hours=2)  # Copenhagen summer time
    assert r.end == midnight + timedelta(seconds=route.end_s)
    assert plan.status == "accepted" and plan.engine == "test"


def test_totals_km_times_co2_and_overflows(problem: DayProblem) -> None:
    """Totals add km, drive and service time; CO2 = km x g/km; overflows split by visit."""
    data = problem.data
    loc = {problem.location_bin[c.location].bin_id: c.location for c in data.clients}
    arc = data.disposal_sites[0].location
    route = make_route(data, 0, [loc["B0"], loc["B1"], arc])
    plan = day_plan(problem, make_solution(data, [route], "test", 0.0), {"B1", "B3"})
    t = plan.totals
    # depot(0) -> B0(2) -> B1(3) -> ARC(1) -> depot(0): 2 + 1 + 2 + 1 km
    assert t.km == pytest.approx(6.0)
    assert t.drive_s == pytest.approx(600.0)
    assert t.service_s == pytest.approx(60 + 60 + 600)
    assert t.co2_kg == pytest.approx(6.0)  # 6 km x 1000 g/km
    assert t.bins_emptied == 2
    assert (t.overflows_avoided, t.overflows_remaining) == (1, 1)
    assert (t.vehicles_used, t.disposal_trips) == (1, 1)
    assert plan.routes[0].duration_s == pytest.approx(t.drive_s + t.service_s)


def test_plan_with_violations_is_rejected(problem: DayProblem) -> None:
    """Violations given to day_plan make a rejected plan carrying them."""
    data = problem.data
    route = make_route(data, 0, [data.clients[0].location])
    plan = day_plan(problem, make_solution(data, [route], "test", 0.0), set(), ["missing B1"])
    assert plan.status == "rejected" and plan.violations == ("missing B1",)


def test_totals_of_no_routes_count_every_risk_as_remaining() -> None:
    """With no routes, nothing is emptied and every at-risk bin remains at risk."""
    t = plan_totals([], {"B0", "B1"})
    assert (t.km, t.bins_emptied, t.overflows_avoided, t.overflows_remaining) == (0, 0, 0, 2)


def _forecast(bin_id: str, level: float, full_at: datetime | None) -> FillForecast:
    t = datetime(2024, 5, 14, 4, tzinfo=UTC)
    return FillForecast(
        bin_id,
        level,
        t,
        0.01,
        0.005,
        0.02,
        0.8,
        full_at,
        full_at,
        full_at,
        10,
        1,
        ForecastMethod.BIN_HISTORY,
        WeeklyProfile.flat(),
        TZ,
    )


def test_overflow_risk_is_full_now_or_full_before_next_opportunity() -> None:
    """Full bins and bins predicted full before the next opportunity are at risk; others not."""
    nxt = datetime(2024, 5, 15, 4, tzinfo=UTC)
    forecasts = {
        "B0": _forecast("B0", 0.85, None),
        "B1": _forecast("B1", 0.5, nxt - timedelta(hours=1)),
        "B2": _forecast("B2", 0.5, nxt + timedelta(hours=1)),
    }
    assert overflow_risk(BINS, forecasts, nxt) == {"B0", "B1"}


def _at_bin(problem: DayProblem, bin_id: str, load_l: float) -> TruckState:
    loc = next(c.location for c in problem.data.clients if c.name == bin_id)
    return TruckState(
        "T1",
        12.551,
        55.69,
        "Nørregade",
        load_l,
        load_l * 0.07,
        problem.data.duration[loc].astype(float),
        problem.data.distance[loc].astype(float),
    )


def test_replan_starts_at_the_truck_and_ends_at_home(problem: DayProblem) -> None:
    """Replanning drops emptied bins, starts at the truck's position and time, ends at the depot."""
    now = problem.midnight + timedelta(hours=7)
    new = replan(problem, now, [_at_bin(problem, "B0", 90.0)], emptied={"B0"})
    data = new.data
    assert sorted(c.name for c in data.clients) == ["B1", "B2"]
    vt = data.vehicle_types[0]
    assert (vt.capacity, vt.initial_load) == ((250, 100), (90, math.ceil(90 * 0.07)))
    assert data.vehicle_types[0].shift_start_s == 7 * 3600
    b1 = next(c.location for c in data.clients if c.name == "B1")
    arc = data.disposal_sites[0].location
    route = make_route(data, 0, [b1, arc])
    sol = make_solution(data, [route], "test", 0.0)
    assert check(data, sol) == []
    (r,) = day_plan(new, sol, set()).routes
    assert (r.stops[0].site_id, r.stops[0].street) == ("T1:start", "Nørregade")
    assert r.stops[0].eta == now
    assert [s.load_after_l for s in r.stops] == [90, 180, 0, 0]
    assert (r.stops[-1].site_id, r.depot_id) == ("D1", "D1")
    # B0(point 2) -> B1(3) -> ARC(1) -> home depot(0): 1 + 2 + 1 km
    assert r.km == pytest.approx(4.0)


def test_replan_refuses_unknown_trucks_and_short_rows(problem: DayProblem) -> None:
    """Unknown truck ids and travel rows not covering every location raise ValueError."""
    now = problem.midnight + timedelta(hours=7)
    state = _at_bin(problem, "B0", 0.0)
    with pytest.raises(ValueError, match="unknown truck"):
        replan(problem, now, [replace(state, vehicle_id="T9")], set())
    with pytest.raises(ValueError, match="travel rows"):
        replan(problem, now, [replace(state, time_to_s=state.time_to_s[:2])], set())


def test_location_kinds_of_the_problem(problem: DayProblem) -> None:
    """The problem has one depot, one disposal site and the three selected bins."""
    kinds = problem.data.kinds
    assert kinds.count(LocationKind.DEPOT) == 1
    assert kinds.count(LocationKind.DISPOSAL) == 1
    assert kinds.count(LocationKind.CLIENT) == 3


def test_prizes_are_bounded_integers() -> None:
    """An optional bin's prize is at least 1 m and at most MAX_PRIZE_M, whatever its litres."""
    from routing.planning.day_problem import MAX_PRIZE_M, _prize

    assert _prize(0.0, 20.0) == 1 and _prize(12.5, 20.0) == 250
    assert _prize(1e30, 20.0) == MAX_PRIZE_M and _prize(float("inf"), 20.0) == MAX_PRIZE_M
    assert _prize(float("nan"), 20.0) == 1


def test_a_capacity_not_given_is_no_limit() -> None:
    """A truck on file without a weight limit (capacity_kg 0) still takes bins with a weight."""
    from routing.planning.day_builder import UNLIMITED, _capacity

    assert _capacity(0.0) == UNLIMITED and _capacity(8000.0) == 8000
