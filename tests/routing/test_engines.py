"""Solver invariants of both engines on random small instances (tiny time limits)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routing import engines
from routing.checker import check
from routing.model import LocationKind, Model, ProblemData
from routing.solution import Solution

ENGINES = sorted(engines.ENGINES)
LIMIT_S = 0.3
CAPACITY = (10, 8)


def _matrices(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    dist = np.rint(10 * np.hypot(*(xy[:, None] - xy[None]).transpose(2, 0, 1))).astype(int)
    return dist // 5, dist  # ~18 km/h in town, with stops


@st.composite
def problems(draw: st.DrawFn) -> ProblemData:
    """Feasible random instances: reloads, optional clients, windows, shifts and breaks."""
    n = draw(st.integers(2, 7))
    sites = draw(st.booleans())
    m = Model()
    depot = m.add_depot()
    for _ in range(n):
        early = draw(st.sampled_from([0, 0, 600, 1_800]))
        m.add_client(
            (draw(st.integers(0, CAPACITY[0])), draw(st.integers(0, CAPACITY[1]))),
            service_s=draw(st.integers(0, 120)),
            required=draw(st.booleans()),
            prize=draw(st.integers(0, 5_000)),
            time_window=(early, early + 40_000),
        )
    if sites:
        for _ in range(draw(st.integers(1, 2))):
            m.add_disposal_site(unload_s=draw(st.integers(0, 300)))
    m.add_vehicle_type(
        draw(st.integers(1, 2)) if sites else n, CAPACITY, depot,
        shift_start_s=0, shift_end_s=60_000, max_duration_s=50_000,
        fixed_cost=draw(st.integers(0, 100)),
    )  # fmt: skip
    if draw(st.booleans()):
        m.set_driver_break(600, 300, 3_000)
    xy = np.array(draw(st.lists(st.tuples(st.integers(0, 300), st.integers(0, 300)),
                                min_size=len(m._kinds), max_size=len(m._kinds))))  # fmt: skip
    m.set_matrices(*_matrices(xy))
    return m.data()


def _solve(name: str, data: ProblemData) -> Solution:
    return engines.get(name)(data, LIMIT_S, 1)


@pytest.mark.parametrize("name", ENGINES)
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
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


def _one_truck(total_loads: int) -> ProblemData:
    m = Model()
    depot = m.add_depot()
    for _ in range(total_loads * 2):
        m.add_client((5, 1), service_s=30)
    m.add_disposal_site(unload_s=120)
    m.add_vehicle_type(1, CAPACITY, depot)
    rng = np.random.default_rng(7)
    m.set_matrices(*_matrices(rng.integers(0, 300, (len(m._kinds), 2))))
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


def _long_day() -> ProblemData:
    m = Model()
    depot = m.add_depot()
    for _ in range(6):
        m.add_client((1, 1), service_s=1_800)
    m.add_disposal_site(unload_s=600)
    m.add_vehicle_type(1, CAPACITY, depot, shift_start_s=21_600, shift_end_s=50_400)
    m.set_matrices(
        np.full((8, 8), 300) - 300 * np.eye(8, dtype=int),
        np.full((8, 8), 2_000) - 2_000 * np.eye(8, dtype=int),
    )
    m.set_driver_break(1_800, 30_600, 34_200)  # 30 min starting 8:30-9:30
    return m.data()


@pytest.mark.parametrize("name", ENGINES)
def test_driver_break_is_taken_on_a_long_day(name: str) -> None:
    """A day running past the break window includes a 30-minute break inside it."""
    data = _long_day()
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


@settings(max_examples=30, deadline=None)
@given(
    demands=st.lists(st.integers(0, 10), min_size=2, max_size=30),
    xy=st.lists(st.tuples(st.integers(0, 100), st.integers(0, 100)), min_size=31, max_size=31),
)
def test_savings_warm_start_covers_every_client_within_capacity(
    demands: list[int], xy: list[tuple[int, int]]
) -> None:
    """The Clarke-Wright warm start visits each client once and never overloads a route."""
    from routing.engines.ortools_engine import savings_routes

    m = Model()
    depot = m.add_depot()
    for q in demands:
        m.add_client(q)
    m.add_vehicle_type(len(demands), 10, depot)
    m.set_matrices(*_matrices(np.array(xy[: len(demands) + 1])))
    data = m.data()
    routes = savings_routes(data)
    assert routes is not None
    assert sorted(loc for r in routes for loc in r) == [c.location for c in data.clients]
    assert all(sum(data.client_at(loc).demand[0] for loc in r) <= 10 for r in routes)
