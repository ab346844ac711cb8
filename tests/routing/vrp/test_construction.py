"""The nearest-neighbour construction: every plan it returns passes the checker."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings

from routing.vrp.checker import check
from routing.vrp.engines.construction import Tour, nearest_neighbour_tours
from routing.vrp.model import LocationKind, Model, ProblemData
from routing.vrp.solution import Solution, make_route, make_solution
from tests.routing.vrp.strategies import (
    CAPACITY,
    long_day,
    matrices,
    problems,
    problems_with_starts,
)


def _plan(data: ProblemData, tours: list[Tour]) -> Solution:
    routes = [
        make_route(data, t.vehicle_type, t.locations, t.start_s, t.break_start_s, t.break_after)
        for t in tours
    ]
    return make_solution(data, routes, "construction", 0.0)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(data=problems())
def test_constructed_plan_passes_the_checker(data: ProblemData) -> None:
    """On every random instance the construction serves all required clients, legally."""
    tours = nearest_neighbour_tours(data)
    assert tours is not None
    assert check(data, _plan(data, tours)) == []
    vehicles = [t.vehicle for t in tours]
    assert len(set(vehicles)) == len(vehicles)
    assert all(0 <= v < data.num_vehicles for v in vehicles)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(data=problems_with_starts())
def test_constructed_plan_from_any_start_with_a_load_passes_the_checker(data: ProblemData) -> None:
    """Trucks leaving plain locations or depots, some loaded, still get a checker-clean plan."""
    tours = nearest_neighbour_tours(data)
    assert tours is not None
    assert check(data, _plan(data, tours)) == []


def _one_truck(loads: int, *, shift_end_s: int = 10**6) -> ProblemData:
    m = Model()
    depot = m.add_depot()
    for _ in range(loads * 2):
        m.add_client((5, 1), service_s=30)
    m.add_disposal_site(unload_s=120)
    m.add_vehicle_type(1, CAPACITY, depot, shift_end_s=shift_end_s)
    m.set_matrices(*matrices(np.random.default_rng(7).integers(0, 300, (len(m._kinds), 2))))
    return m.data()


def test_unloads_when_the_truck_is_full_and_before_going_home() -> None:
    """One truck collecting 3 loads' worth unloads 3 times, the last visit being an unload."""
    data = _one_truck(3)
    tours = nearest_neighbour_tours(data)
    assert tours is not None
    (tour,) = tours
    kinds = [data.kinds[loc] for loc in tour.locations]
    assert kinds.count(LocationKind.DISPOSAL) == math.ceil(3 * 10 / CAPACITY[0])
    assert kinds[-1] == LocationKind.DISPOSAL
    assert check(data, _plan(data, tours)) == []


def test_gives_up_when_a_required_client_cannot_be_served() -> None:
    """A shift too short to reach any client leaves required clients out: None, no bad plan."""
    assert nearest_neighbour_tours(_one_truck(1, shift_end_s=10)) is None


def test_skips_an_optional_client_worth_less_than_the_drive() -> None:
    """An optional client whose prize is below the drive to it is left out."""
    m = Model()
    depot = m.add_depot()
    m.add_client(1, required=False, prize=1_000_000)
    m.add_client(1, required=False, prize=1)
    m.add_vehicle_type(1, 5, depot)
    m.set_matrices(
        np.zeros((3, 3), dtype=int), np.full((3, 3), 1_000) - 1_000 * np.eye(3, dtype=int)
    )
    tours = nearest_neighbour_tours(m.data())
    assert tours is not None
    assert [t.locations for t in tours] == [(1,)]


def test_takes_the_break_inside_its_window_on_a_long_day() -> None:
    """A route running past the break window takes the break inside it."""
    data = long_day()
    tours = nearest_neighbour_tours(data)
    assert tours is not None
    (tour,) = tours
    assert tour.break_start_s is not None
    assert 30_600 <= tour.break_start_s <= 34_200
    assert check(data, _plan(data, tours)) == []


def test_no_clients_gives_empty_tours() -> None:
    """A day with nothing to collect is a valid (empty) plan, not a crash."""
    m = Model()
    depot = m.add_depot()
    m.add_disposal_site(unload_s=60)
    m.add_vehicle_type(2, (100, 50), depot)
    m.set_matrices(np.array([[0, 5], [5, 0]]), np.array([[0, 50], [50, 0]]))
    tours = nearest_neighbour_tours(m.data())
    assert tours is not None
    assert [t.locations for t in tours if t.locations] == []


def _far_cluster(shift_end_s: int) -> ProblemData:
    """Two trucks at a depot beside the disposal site; 12 one-unit clients 1 km away, 6 per load."""
    m = Model()
    depot = m.add_depot()
    m.add_disposal_site()
    for _ in range(12):
        m.add_client(1, service_s=100)
    m.add_vehicle_type(2, 6, depot, shift_end_s=shift_end_s, fixed_cost=100)
    x = np.array([0, 0] + [1000 + i for i in range(12)])
    d = np.abs(x[:, None] - x[None, :])
    m.set_matrices(d, d)
    return m.data()


def test_a_truck_skips_a_second_trip_the_shift_would_cut_short() -> None:
    """A first trip takes 2,610 s. With 2,240 s left (0.86 of it) a second trip serves 2 of the
    other 6 clients, and the second truck still drives out for the last 4: the greedy plan makes
    3 trips (6,046 m). Stopping after one trip each, the two trucks make 2 trips (4,032 m)."""
    data = _far_cluster(shift_end_s=4850)
    tours = nearest_neighbour_tours(data)
    assert tours is not None
    plan = _plan(data, tours)
    assert check(data, plan) == []
    assert sum(data.kinds[loc] == LocationKind.DISPOSAL for t in tours for loc in t.locations) == 2
    assert plan.distance_m == 4032


def test_a_truck_whose_shift_fits_a_second_trip_makes_it() -> None:
    """With a long shift one truck serves all 12 clients in two trips; no second truck."""
    data = _far_cluster(shift_end_s=6000)
    tours = nearest_neighbour_tours(data)
    assert tours is not None
    assert len(tours) == 1
    assert check(data, _plan(data, tours)) == []
