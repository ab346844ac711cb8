"""The independent plan checker: one hand-made bad plan per violation kind."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from routing.vrp.checker import ViolationKind, check, is_feasible
from routing.vrp.model import Model, ProblemData
from routing.vrp.solution import Route, Solution, make_route, make_solution

# depot 0, clients 1-3 (3 optional, prize 50; 2 must be served in [0, 500]), disposal site 4
DEPOT, A, B, C, DUMP = 0, 1, 2, 3, 4


def _problem(
    *, with_break: bool = False, sites: bool = True, max_duration_s: int = 5_000
) -> ProblemData:
    m = Model()
    m.add_depot()
    m.add_client((3, 2), service_s=60)
    m.add_client((3, 2), service_s=60, time_window=(0, 500))
    m.add_client((3, 2), service_s=60, required=False, prize=50)
    if sites:
        m.add_disposal_site(unload_s=120)
    else:
        m.add_client((0, 0))
    m.add_vehicle_type(
        2, (10, 5), DEPOT, shift_start_s=0, shift_end_s=10_000, max_duration_s=max_duration_s
    )
    m.set_matrices(
        np.full((5, 5), 100) - 100 * np.eye(5),
        np.full((5, 5), 1_000) - 1_000 * np.eye(5, dtype=int),
    )
    if with_break:
        m.set_driver_break(600, 200, 1_000)
    return m.data()


@pytest.fixture(scope="module")
def data() -> ProblemData:
    """The small disposal-site problem every test below starts from."""
    return _problem()


def _plan(data: ProblemData, *routes: list[int], start_s: int = 0) -> Solution:
    return make_solution(data, [make_route(data, 0, r, start_s) for r in routes], "hand", 0.0)


def _kinds(data: ProblemData, sol: Solution) -> set[ViolationKind]:
    return {v.kind for v in check(data, sol)}


def test_a_good_plan_passes(data: ProblemData) -> None:
    """A plan visiting every required client, unloading before home, has no violation."""
    sol = _plan(data, [B, A, DUMP, C, DUMP])
    assert check(data, sol) == []
    assert is_feasible(data, sol)


def test_skipping_an_optional_client_is_allowed_and_costs_its_prize(data: ProblemData) -> None:
    """Leaving out the optional client is feasible; the objective includes its prize."""
    sol = _plan(data, [B, A, DUMP])
    assert check(data, sol) == []
    assert sol.objective == 4 * 1_000 + 50


def test_missing_required_client(data: ProblemData) -> None:
    """A required client nobody visits is reported."""
    assert ViolationKind.MISSING_CLIENT in _kinds(data, _plan(data, [B, DUMP]))


def test_duplicate_visit(data: ProblemData) -> None:
    """A client visited twice (across routes) is reported."""
    sol = _plan(data, [B, A, DUMP], [A, DUMP])
    assert ViolationKind.DUPLICATE_VISIT in _kinds(data, sol)


def test_unknown_location(data: ProblemData) -> None:
    """Visiting a location that does not exist, or the depot mid-route, is reported."""
    sol = _plan(data, [B, A, DUMP])
    route = sol.routes[0]
    for loc in (99, DEPOT):
        bogus = replace(route.visits[0], location=loc)
        unknown = replace(sol, routes=(replace(route, visits=(bogus, *route.visits)),))
        assert ViolationKind.UNKNOWN_LOCATION in _kinds(data, unknown)


def test_capacity_exceeded_in_one_dimension(data: ProblemData) -> None:
    """Three clients (weight 6 > 5) without an unload in between exceed the capacity."""
    violations = check(data, _plan(data, [B, A, C, DUMP]))
    assert [v.kind for v in violations] == [ViolationKind.CAPACITY]
    assert "dim 1" in violations[0].message


def test_time_window_missed(data: ProblemData) -> None:
    """Serving client B after its window closes (500 s) is reported."""
    sol = _plan(data, [A, DUMP, C, DUMP, B, DUMP])
    assert ViolationKind.TIME_WINDOW in _kinds(data, sol)


def test_shift_start_and_end(data: ProblemData) -> None:
    """Leaving before the shift starts or returning after it ends is reported."""
    assert ViolationKind.SHIFT in _kinds(data, _plan(data, [B, A, DUMP], start_s=-10))
    late = _plan(data, [A, DUMP], [C, DUMP], start_s=9_900)
    late = replace(late, routes=(_plan(data, [B, DUMP]).routes[0], *late.routes[:1]))
    assert ViolationKind.SHIFT in _kinds(data, late)


def test_max_duration() -> None:
    """A route whose depot-to-depot span (travel, service, unload) exceeds the limit is reported."""
    short = _problem(max_duration_s=600)
    sol = make_solution(short, [make_route(short, 0, [B, A, DUMP])], "hand", 0.0)
    assert sol.routes[0].duration_s == 640
    assert [v.kind for v in check(short, sol)] == [ViolationKind.MAX_DURATION]


def test_no_final_unload(data: ProblemData) -> None:
    """A truck returning home loaded, when disposal sites exist, is reported."""
    assert ViolationKind.NO_FINAL_UNLOAD in _kinds(data, _plan(data, [B, A]))


def test_no_unload_needed_without_disposal_sites() -> None:
    """Without disposal sites (plain CVRP), returning loaded to the depot is fine."""
    cvrp = _problem(sites=False)
    sol = make_solution(cvrp, [make_route(cvrp, 0, [B, A, 4]), make_route(cvrp, 0, [C])], "h", 0)
    assert check(cvrp, sol) == []


def test_vehicle_count(data: ProblemData) -> None:
    """More routes of a type than vehicles available is reported."""
    sol = _plan(data, [B, DUMP], [A, DUMP], [C, DUMP])
    assert ViolationKind.VEHICLE_COUNT in _kinds(data, sol)


def test_break_required_when_on_the_road_at_its_latest_start() -> None:
    """A route still running at the break's latest start without a break is reported."""
    brk = _problem(with_break=True)
    sol = make_solution(brk, [make_route(brk, 0, [B, A, DUMP, C, DUMP])], "hand", 0.0)
    assert ViolationKind.BREAK in _kinds(brk, sol)


def test_break_inside_its_window_passes_and_outside_fails() -> None:
    """A break at 300 s after the first stop is fine; one at 100 s is before its window."""
    brk = _problem(with_break=True)
    ok = make_route(brk, 0, [B, A, DUMP, C, DUMP], 0, break_start_s=300, break_after=0)
    assert check(brk, make_solution(brk, [ok], "hand", 0.0)) == []
    early = make_route(brk, 0, [B, A, DUMP, C, DUMP], 0, break_start_s=100, break_after=-1)
    assert ViolationKind.BREAK in _kinds(brk, make_solution(brk, [early], "hand", 0.0))


def test_break_may_not_overlap_a_service() -> None:
    """A break starting while the driver is still serving the previous stop is reported."""
    brk = _problem(with_break=True)
    # B ends at 160 s, A at 320 s: a break at 250 s placed after B overlaps A's service
    bad = make_route(brk, 0, [B, A, DUMP], 0, break_start_s=250, break_after=1)
    assert ViolationKind.BREAK in _kinds(brk, make_solution(brk, [bad], "hand", 0.0))


def test_short_route_needs_no_break() -> None:
    """A route home before the break's latest start needs no break."""
    brk = _problem(with_break=True)
    sol = make_solution(brk, [make_route(brk, 0, [B, DUMP]), make_route(brk, 0, [A, DUMP])], "h", 0)
    assert check(brk, sol) == []


def test_reported_totals_must_match(data: ProblemData) -> None:
    """A route reporting a distance the matrices do not give is reported."""
    sol = _plan(data, [B, A, DUMP])
    lying = replace(sol, routes=(replace(sol.routes[0], distance_m=1),))
    assert ViolationKind.TOTALS in _kinds(data, lying)
    assert ViolationKind.TOTALS in _kinds(data, replace(sol, objective=sol.objective - 1))


def test_checker_does_not_trust_reported_visit_times(data: ProblemData) -> None:
    """Visit times and loads written into a route are ignored; the checker recomputes them."""
    sol = _plan(data, [B, A, C, DUMP])
    honest_looking = tuple(replace(v, load=(0, 0), start_s=0) for v in sol.routes[0].visits)
    forged = replace(sol, routes=(Route(0, honest_looking, 0, 0, sol.routes[0].distance_m),))
    assert ViolationKind.CAPACITY in _kinds(data, forged)


def _loaded_from(here_xy: tuple[int, int] = (0, 3_000)) -> ProblemData:
    """Two trucks (capacity (10, 5)) at a plain location carrying (6, 1); clients A-C (3, 1)."""
    m = Model()
    m.add_depot()
    for _ in range(3):
        m.add_client((3, 1), service_s=60)
    m.add_disposal_site(unload_s=120)
    here = m.add_location(name="truck")
    m.add_vehicle_type(2, (10, 5), DEPOT, start_location=here, initial_load=(6, 1))
    xy = np.array([(0, 0), (1_000, 0), (2_000, 0), (3_000, 0), (0, 1_000), here_xy])
    dist = np.rint(np.hypot(*(xy[:, None] - xy[None]).transpose(2, 0, 1))).astype(int)
    m.set_matrices(dist // 10, dist)
    return m.data()


def test_initial_load_counts_and_routes_start_at_the_start_location() -> None:
    """Routes start at the start location with the initial load, which must be unloaded."""
    data = _loaded_from()
    here = data.plain_locations[0].location
    ok = _plan(data, [DUMP, A, B, C, DUMP], [DUMP])
    assert check(data, ok) == []
    # from (0, 3000) to the disposal site at (0, 1000), then home
    assert ok.routes[1].distance_m == 2_000 + 1_000
    assert _kinds(data, _plan(data, [A, B, DUMP, C, DUMP], [DUMP])) == {ViolationKind.CAPACITY}
    route = ok.routes[0]
    bogus = replace(route.visits[0], location=here)  # the start location is no stop
    mid = replace(ok, routes=(replace(route, visits=(bogus, *route.visits)), ok.routes[1]))
    assert ViolationKind.UNKNOWN_LOCATION in _kinds(data, mid)
    assert _kinds(data, _plan(data, [DUMP, A, B, C, DUMP])) == {ViolationKind.NO_FINAL_UNLOAD}
