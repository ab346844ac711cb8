"""The whole-city path: the quick first plan, the construction's near-first scan and route
groups re-optimised apart (every result checked)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import numpy as np
import pytest

from routing.vrp.checker import check
from routing.vrp.engines import construction, decompose
from routing.vrp.engines.decompose import (
    _Sub,
    improve_by_groups,
    pick_group,
    route_nearness,
)
from routing.vrp.first_plan import first_plan
from routing.vrp.model import LocationKind, Model, ProblemData
from routing.vrp.solution import Route, make_route, make_solution, objective
from tests.routing.vrp.strategies import CAPACITY, matrices


def city(n: int = 160, seed: int = 3, trucks: int = 12, loose: bool = False) -> ProblemData:
    """``n`` clients, optional ones with prizes, one disposal site, a shift and a break
    (``loose``: a shift long enough for routes with their bins shuffled, and no break)."""
    rng = np.random.default_rng(seed)
    m = Model()
    depot = m.add_depot()
    for k in range(n):
        m.add_client(
            (int(rng.integers(1, 4)), int(rng.integers(1, 3))),
            service_s=60,
            required=k % 3 != 0,
            prize=int(rng.integers(0, 3_000)),
        )
    m.add_disposal_site(unload_s=300)
    m.add_vehicle_type(
        trucks, CAPACITY, depot, shift_end_s=30_000 if loose else 6_000, fixed_cost=500
    )
    if not loose:
        m.set_driver_break(600, 2_000, 4_000)
    m.set_matrices(*matrices(rng.integers(0, 400, (len(m._kinds), 2))))
    return m.data()


def test_first_plan_is_checked_and_feasible() -> None:
    """The first plan serves every required bin and the checker agrees."""
    data = city()
    sol = first_plan(data)
    assert sol.feasible and sol.routes
    assert check(data, sol) == []


def test_first_plan_without_enough_trucks_says_so() -> None:
    """When the construction cannot serve every required bin, no plan and a note."""
    m = Model()
    depot = m.add_depot()
    for _ in range(4):
        m.add_client((5, 1), service_s=30)
    m.add_vehicle_type(1, CAPACITY, depot, shift_end_s=10)
    m.set_matrices(*matrices(np.arange(10).reshape(5, 2) * 50))
    sol = first_plan(m.data())
    assert not sol.feasible and not sol.routes and sol.notes


def test_near_first_scan_gives_the_full_scan_tours(monkeypatch: pytest.MonkeyPatch) -> None:
    """Checking the nearest waiting clients first changes no tour (ties included)."""
    data = city(n=200, seed=5)
    fast = construction.nearest_neighbour_tours(data)
    monkeypatch.setattr(construction, "NEAR", 10**6)
    assert fast == construction.nearest_neighbour_tours(data)


def test_sub_problem_round_trip_keeps_routes() -> None:
    """A group's routes, carried into its sub-problem and back, are the same routes."""
    data = city()
    routes = list(first_plan(data).routes)
    sub = _Sub(data, routes[:2], [])
    assert [r.distance_m for r in sub.start] == [r.distance_m for r in routes[:2]]
    assert sub.back(data, sub.start) == routes[:2]


def test_group_starts_cycle_through_every_route_and_skip_busy_ones() -> None:
    """Drawn groups hold only free routes; a cycle's groups start from different routes and
    together hold every free route."""
    data = city()
    routes = list(first_plan(data).routes)
    rng = np.random.default_rng(0)
    busy = {0, 1}
    free = set(range(len(routes))) - busy
    pending: set[int] = set()
    firsts: list[int] = []
    seen: set[int] = set()
    while True:
        group = pick_group(data, routes, rng, 30, free, pending)
        assert group and set(group) <= free
        firsts.append(group[0])
        seen |= set(group)
        if not pending:
            break
    assert seen == free and len(firsts) == len(set(firsts)) > 1
    assert pick_group(data, routes, rng, 30, set(), pending) == []


def test_routes_are_as_near_as_their_nearest_trips() -> None:
    """A truck whose second trip ends up next to another truck's trip is near that truck,
    however far its first trip is."""
    m = Model()
    depot = m.add_depot()
    for _ in range(6):
        m.add_client((1, 1))
    m.add_disposal_site()
    m.add_vehicle_type(3, CAPACITY, depot)
    # depot 0; clients 1, 2 far west; 3, 4 far east; 5, 6 east as well; disposal 7
    xy = np.array([[0, 0], [-900, 0], [-910, 0], [900, 0], [910, 0], [920, 0], [930, 0], [0, 0]])
    m.set_matrices(*matrices(xy))
    data = m.data()
    two_trips = make_route(data, 0, [1, 2, 7, 3, 4])
    east, west = make_route(data, 0, [5, 6]), make_route(data, 0, [1])
    near = route_nearness(data, [two_trips, east, west])
    assert near[0, 1] < 200 and near[1, 2] > 3_000


def test_group_improvement_never_worsens_and_stays_feasible() -> None:
    """Groups re-solved by a (here: route-reversing) solver only replace routes when cheaper,
    and the combined plan passes the checker."""
    data = city()
    start = list(first_plan(data).routes)

    def reverse(sub: ProblemData, routes: list[Route], limit: float, seed: int) -> list[Route]:
        del limit, seed
        sol = make_solution(sub, [_reversed(sub, r) for r in routes], "test", 0.0)
        return list(sol.routes) if not check(sub, sol) else routes

    def ok(routes: list[Route]) -> bool:
        return not check(data, make_solution(data, routes, "test", 0.0))

    out = improve_by_groups(data, start, reverse, time.perf_counter() + 3.0, 1, ok)
    assert objective(data, out) <= objective(data, start)
    assert check(data, make_solution(data, out, "test", 0.0)) == []


def _reversed(data: ProblemData, r: Route) -> Route:
    return make_route(data, r.vehicle_type, r.locations[::-1], r.start_s)


def test_loaded_trucks_are_not_decomposed() -> None:
    """A re-plan's trucks carrying a load keep the whole-problem search."""
    m = Model()
    depot = m.add_depot()
    m.add_client((1, 1))
    m.add_disposal_site()
    m.add_vehicle_type(1, CAPACITY, depot, initial_load=(2, 1))
    m.set_matrices(*matrices(np.arange(6).reshape(3, 2) * 50))
    assert not decompose.decomposable(m.data())
    assert decompose.decomposable(city(n=5))


def test_two_groups_are_in_flight_at_once_and_every_improvement_kept() -> None:
    """With ``submit`` (here a two-thread pool) two disjoint groups are solved side by side,
    and each improved group is applied as it finishes. The start has each trip's bins
    shuffled; the fake solver re-plans each group by nearest neighbour, which beats every
    shuffled group."""
    data = city(loose=True)
    rng = np.random.default_rng(4)
    start = [_shuffled(data, r, rng) for r in first_plan(data).routes]
    lock, running, most = threading.Lock(), [0], [0]

    def replan(sub: ProblemData, routes: list[Route], limit: float, seed: int) -> list[Route]:
        del routes, limit, seed
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.2)
        with lock:
            running[0] -= 1
        return list(first_plan(sub).routes)

    with ThreadPoolExecutor(max_workers=2) as pool:
        out = improve_by_groups(
            data,
            start,
            _never,
            time.perf_counter() + 3.0,
            1,
            _ok(data),
            size=30,
            submit=lambda task: pool.submit(replan, *task),
            workers=2,
        )
    assert most[0] == 2
    assert check(data, make_solution(data, out, "test", 0.0)) == []
    assert not [r for r in out if r in start]  # every shuffled route replaced
    assert objective(data, out) < objective(data, start)


def test_a_failing_group_search_keeps_the_plan_found_so_far() -> None:
    """A solver that raises ends the search; the improvements before it stay."""
    data = city(loose=True)
    rng = np.random.default_rng(4)
    start = [_shuffled(data, r, rng) for r in first_plan(data).routes]
    calls = [0]

    def once(sub: ProblemData, routes: list[Route], limit: float, seed: int) -> list[Route]:
        del routes, limit, seed
        calls[0] += 1
        if calls[0] > 1:
            raise RuntimeError("solver crashed")
        return list(first_plan(sub).routes)

    out = improve_by_groups(data, start, once, time.perf_counter() + 3.0, 1, _ok(data), size=30)
    assert calls[0] == 2
    assert objective(data, out) < objective(data, start)
    assert check(data, make_solution(data, out, "test", 0.0)) == []


def test_a_broken_pool_keeps_the_plan_found_so_far() -> None:
    """When groups can no longer be submitted (a process pool broken by a crashed worker), the
    improvements already applied stay and nothing is raised."""
    data = city(loose=True)
    rng = np.random.default_rng(4)
    start = [_shuffled(data, r, rng) for r in first_plan(data).routes]
    submitted = [0]

    def submit(task: decompose.GroupTask) -> Future[list[Route] | None]:
        submitted[0] += 1
        if submitted[0] > 1:
            raise BrokenProcessPool("a worker died")
        fut: Future[list[Route] | None] = Future()
        fut.set_result(list(first_plan(task[0]).routes))
        return fut

    out = improve_by_groups(
        data, start, _never, time.perf_counter() + 3.0, 1, _ok(data), size=30, submit=submit
    )
    assert submitted[0] == 2
    assert objective(data, out) < objective(data, start)
    assert check(data, make_solution(data, out, "test", 0.0)) == []


def test_the_search_goes_on_after_a_group_empties_a_route() -> None:
    """A group re-planned onto fewer trucks leaves an emptied route behind; later groups skip
    it (it has no trip to be near to) and the search goes on."""
    data = city(loose=True, trucks=30)
    start = [t for r in first_plan(data).routes for t in _trips(data, r)]
    after_merge = [0]

    def merge(sub: ProblemData, routes: list[Route], limit: float, seed: int) -> list[Route]:
        del limit, seed
        out = list(first_plan(sub).routes)
        if after_merge[0] or len(out) < len(routes):  # counts the merge and every call after
            after_merge[0] += 1
        return out

    out = improve_by_groups(data, start, merge, time.perf_counter() + 2.0, 1, _ok(data), size=30)
    assert after_merge[0] > 1 and len(out) < len(start)
    assert check(data, make_solution(data, out, "test", 0.0)) == []


def _trips(data: ProblemData, r: Route) -> list[Route]:
    """``r`` as one route per trip (each ending with its unload)."""
    trips: list[list[int]] = [[]]
    for loc in r.locations:
        trips[-1].append(loc)
        if data.kinds[loc] != LocationKind.CLIENT:
            trips.append([])
    return [make_route(data, r.vehicle_type, t) for t in trips if t]


def _shuffled(data: ProblemData, r: Route, rng: np.random.Generator) -> Route:
    """``r`` with the bins of each trip in random order (unloads stay in place)."""
    trips: list[list[int]] = [[]]
    for loc in r.locations:
        if data.kinds[loc] == LocationKind.CLIENT:
            trips[-1].append(loc)
        else:
            trips += [[loc], []]
    return make_route(data, r.vehicle_type, [loc for t in trips for loc in rng.permutation(t)])


def _ok(data: ProblemData):  # noqa: ANN202 - a checker-backed accept
    return lambda routes: not check(data, make_solution(data, routes, "test", 0.0))


def _never(sub: ProblemData, routes: list[Route], limit: float, seed: int) -> list[Route] | None:
    raise AssertionError("submit was given: solve must not be called")
