"""The whole-city path: the quick first plan, the construction's near-first scan and route
groups re-optimised apart (every result checked)."""

from __future__ import annotations

import time

import numpy as np
import pytest

from routing.vrp.checker import check
from routing.vrp.engines import construction, decompose
from routing.vrp.engines.decompose import _Sub, group_routes, improve_by_groups
from routing.vrp.first_plan import first_plan
from routing.vrp.model import LocationKind, Model, ProblemData
from routing.vrp.solution import Route, make_route, make_solution, objective
from tests.routing.vrp.strategies import CAPACITY, matrices


def city(n: int = 160, seed: int = 3, trucks: int = 12, loose: bool = False) -> ProblemData:
    """``n`` clients, optional ones with prizes, one disposal site, a shift and a break
    (``loose``: a longer shift and no break)."""
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
        trucks, CAPACITY, depot, shift_end_s=9_000 if loose else 6_000, fixed_cost=500
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


def test_groups_cover_every_route_once() -> None:
    """Route groups partition the routes."""
    data = city()
    routes = list(first_plan(data).routes)
    groups = group_routes(data, routes, np.random.default_rng(0), size=30)
    assert sorted(i for g in groups for i in g) == list(range(len(routes)))
    assert len(groups) > 1


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


def test_a_rounds_groups_are_solved_together_and_all_improvements_kept() -> None:
    """``solve_all`` gets every group of a round at once (as the two processes do), and every
    improved group of that one round is applied. The start has each trip's bins shuffled; the
    fake solver re-plans each group by nearest neighbour, which beats every shuffled group."""
    data = city(loose=True)
    rng = np.random.default_rng(4)
    start = [_shuffled(data, r, rng) for r in first_plan(data).routes]
    deadline = time.perf_counter() + 3.0
    rounds: list[int] = []

    def replan_all(tasks: list[decompose.GroupTask]) -> list[list[Route] | None]:
        rounds.append(len(tasks))
        out: list[list[Route] | None] = [list(first_plan(sub).routes) for sub, *_ in tasks]
        time.sleep(max(0.0, deadline - time.perf_counter()))  # one round only
        return out

    out = improve_by_groups(
        data, start, _never, deadline, 1, _ok(data), size=30, solve_all=replan_all, workers=2
    )
    assert rounds[0] > 1 and len(rounds) == 1
    assert check(data, make_solution(data, out, "test", 0.0)) == []
    assert not [r for r in out if r in start]  # every group replaced in the one round
    assert objective(data, out) < objective(data, start)


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
    raise AssertionError("solve_all was given: solve must not be called")
