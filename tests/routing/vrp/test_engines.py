"""Solver invariants of both engines on random small instances (tiny time limits)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routing.vrp import engines
from routing.vrp.checker import check
from routing.vrp.model import LocationKind, Model, ProblemData
from routing.vrp.solution import Solution
from tests.routing.vrp.strategies import (
    CAPACITY,
    long_day,
    matrices,
    problems,
    problems_with_starts,
)

ENGINES = sorted(engines.GENERAL)  # HGS-CVRP (plain CVRP only): test_hgs_engine.py
LIMIT_S = 0.3


def _solve(name: str, data: ProblemData) -> Solution:
    return engines.get(name)(data, LIMIT_S, 1)


@pytest.mark.parametrize("name", ENGINES)
@settings(
    max_examples=8, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(data=problems())
def test_every_plan_passes_the_checker(name: str, data: ProblemData) -> None:
    """Whatever the instance, the engine's plan breaks no rule the checker knows."""
    sol = _solve(name, data)
    assert check(data, sol) == []
    assert sol.engine == name
    served = {loc for r in sol.routes for loc in r.locations}
    assert all(c.location in served for c in data.clients if c.required)
    for r in sol.routes:
        cap = data.vehicle_types[r.vehicle_type].capacity
        assert all(q <= c for v in r.visits for q, c in zip(v.load, cap, strict=True))


@pytest.mark.parametrize("name", ENGINES)
@settings(
    max_examples=10, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(data=problems_with_starts())
def test_plans_from_any_start_with_a_load_pass_the_checker(name: str, data: ProblemData) -> None:
    """With random start and end locations and initial loads, every plan passes the checker."""
    sol = _solve(name, data)
    assert check(data, sol) == []
    for r in sol.routes:
        vt = data.vehicle_types[r.vehicle_type]
        if data.disposal_sites and any(vt.initial_load):
            assert any(v.kind == LocationKind.DISPOSAL for v in r.visits)


def _nearly_full_mid_route() -> ProblemData:
    """A truck at a plain location, 9/10 full, next to three clients; the disposal site 1 km on."""
    m = Model()
    depot = m.add_depot()
    here = m.add_location(name="truck")
    for _ in range(3):
        m.add_client((2, 1), service_s=30)
    m.add_disposal_site(unload_s=120)
    m.add_vehicle_type(1, CAPACITY, depot, start_location=here, initial_load=(9, 2))
    xy = np.array([(0, 0), (100, 0), (100, 2), (102, 0), (102, 2), (200, 0)])
    m.set_matrices(*matrices(xy))
    return m.data()


@pytest.mark.parametrize("name", ENGINES)
def test_nearly_full_truck_starting_mid_route_unloads_first(name: str) -> None:
    """A truck starting mid-route with 9 of 10 on board drives to unload before any client."""
    data = _nearly_full_mid_route()
    sol = _solve(name, data)
    assert check(data, sol) == []
    (route,) = sol.routes
    assert route.visits[0].kind == LocationKind.DISPOSAL
    assert [v.kind for v in route.visits].count(LocationKind.CLIENT) == 3
    assert route.visits[-1].kind == LocationKind.DISPOSAL  # unloads again before the depot


def _one_truck(total_loads: int) -> ProblemData:
    m = Model()
    depot = m.add_depot()
    for _ in range(total_loads * 2):
        m.add_client((5, 1), service_s=30)
    m.add_disposal_site(unload_s=120)
    m.add_vehicle_type(1, CAPACITY, depot)
    rng = np.random.default_rng(7)
    m.set_matrices(*matrices(rng.integers(0, 300, (len(m._kinds), 2))))
    return m.data()


@pytest.mark.parametrize("name", ENGINES)
def test_reload_trips_when_demand_exceeds_capacity(name: str) -> None:
    """One truck collecting 3 loads' worth unloads at least 3 times, ending with an unload."""
    data = _one_truck(3)
    sol = _solve(name, data)
    assert check(data, sol) == []
    (route,) = sol.routes
    assert route.num_unloads >= math.ceil(sum(c.demand[0] for c in data.clients) / CAPACITY[0])
    assert route.visits[-1].kind == LocationKind.DISPOSAL


@pytest.mark.parametrize("name", ENGINES)
def test_driver_break_is_taken_on_a_long_day(name: str) -> None:
    """A day running past the break window includes a 30-minute break inside it."""
    data = long_day()
    sol = _solve(name, data)
    assert check(data, sol) == []
    (route,) = sol.routes
    assert route.break_start_s is not None
    assert 30_600 <= route.break_start_s <= 34_200


def _prize_choice() -> ProblemData:
    m = Model()
    depot = m.add_depot()
    m.add_client(1, required=False, prize=1_000_000)  # worth the detour
    m.add_client(1, required=False, prize=1)  # not worth it
    m.add_vehicle_type(1, 5, depot)
    m.set_matrices(
        np.zeros((3, 3), dtype=int), np.full((3, 3), 1_000) - 1_000 * np.eye(3, dtype=int)
    )
    return m.data()


@pytest.mark.parametrize("name", ENGINES)
def test_optional_clients_follow_their_prize(name: str) -> None:
    """An optional client is served when its prize beats the detour, skipped otherwise."""
    data = _prize_choice()
    sol = _solve(name, data)
    assert check(data, sol) == []
    assert sol.unvisited == (2,)
    assert sol.objective == 2_000 + 1


def test_unknown_engine_is_refused() -> None:
    """Asking for an engine that does not exist raises ValueError listing the choices."""
    with pytest.raises(ValueError, match="ortools"):
        engines.get("gurobi")


@settings(max_examples=30, deadline=None, derandomize=True)
@given(
    demands=st.lists(st.integers(0, 10), min_size=2, max_size=30),
    xy=st.lists(st.tuples(st.integers(0, 100), st.integers(0, 100)), min_size=31, max_size=31),
)
def test_savings_warm_start_covers_every_client_within_capacity(
    demands: list[int], xy: list[tuple[int, int]]
) -> None:
    """The Clarke-Wright warm start visits each client once and never overloads a route."""
    from routing.vrp.engines.ortools_engine import savings_routes

    m = Model()
    depot = m.add_depot()
    for q in demands:
        m.add_client(q)
    m.add_vehicle_type(len(demands), 10, depot)
    m.set_matrices(*matrices(np.array(xy[: len(demands) + 1])))
    data = m.data()
    routes = savings_routes(data)
    assert routes is not None
    assert sorted(loc for r in routes for loc in r) == [c.location for c in data.clients]
    assert all(sum(data.client_at(loc).demand[0] for loc in r) <= 10 for r in routes)


def _city(n: int, *, plain: bool) -> ProblemData:
    """``n`` clients in a 3 km square: a plain CVRP, or 3 trucks with unloads and a break."""
    m = Model()
    depot = m.add_depot()
    rng = np.random.default_rng(3)
    for q in rng.integers(1, 6, n):
        m.add_client((int(q), 1), service_s=60)
    if plain:
        m.add_vehicle_type(n // 5, (25, 100), depot)
    else:
        m.add_disposal_site(unload_s=600)
        m.add_vehicle_type(3, CAPACITY, depot, shift_start_s=21_600, shift_end_s=50_400)
        m.set_driver_break(1_800, 30_600, 34_200)
    m.set_matrices(*matrices(rng.integers(0, 300, (len(m._kinds), 2))))
    return m.data()


@pytest.mark.parametrize("plain", [True, False], ids=["cvrp", "reload-break"])
def test_ortools_returns_a_plan_even_when_the_limit_is_too_short(plain: bool) -> None:
    """With 1 ms for 150 clients OR-Tools still returns a plan serving all (no empty plan)."""
    from routing.vrp.engines.ortools_engine import solve_problem

    data = _city(150, plain=plain)
    sol = solve_problem(data, 0.001)
    assert check(data, sol) == []
    assert not sol.unvisited


def test_ortools_keeps_the_constructed_plan_when_the_search_finds_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """If OR-Tools rejects the start and finds no solution, the constructed plan is returned."""
    from ortools.constraint_solver import pywrapcp

    from routing.vrp.engines.ortools_engine import solve_problem

    monkeypatch.setattr(pywrapcp.RoutingModel, "ReadAssignmentFromRoutes", lambda *a: None)
    monkeypatch.setattr(pywrapcp.RoutingModel, "SolveWithParameters", lambda *a: None)
    data = _city(40, plain=False)
    sol = solve_problem(data, 0.1)
    assert check(data, sol) == []
    assert sol.routes and "construction plan kept" in sol.notes[0]


def test_ortools_falls_back_to_other_first_strategies(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a constructed start, a failed PATH_CHEAPEST_ARC is retried with other strategies."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    from routing.vrp.engines import ortools_engine

    solve = pywrapcp.RoutingModel.SolveWithParameters
    tried: list[int] = []

    def failing_pca(self: pywrapcp.RoutingModel, params: object) -> object:
        tried.append(params.first_solution_strategy)  # type: ignore[attr-defined]
        pca = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
        return None if tried[-1] == pca else solve(self, params)

    monkeypatch.setattr(ortools_engine, "nearest_neighbour_tours", lambda data: None)
    monkeypatch.setattr(pywrapcp.RoutingModel, "SolveWithParameters", failing_pca)
    data = _city(40, plain=False)
    sol = ortools_engine.solve_problem(data, 0.2)
    assert check(data, sol) == []
    assert len(tried) >= 2
