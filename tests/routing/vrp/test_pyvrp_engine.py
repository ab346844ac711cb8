"""The PyVRP mapping: costs as our objective counts them, warm start, search from it."""

from __future__ import annotations

import numpy as np
import pytest

from routing.vrp import problem_kind
from routing.vrp.checker import check
from routing.vrp.engines import pyvrp_engine
from routing.vrp.engines.construction import nearest_neighbour_tours
from routing.vrp.engines.pyvrp_mapping import Mapping
from routing.vrp.model import Model, ProblemData
from routing.vrp.solution import make_route, make_solution, objective


def _far_disposal_day(n_clients: int = 120, seed: int = 3) -> ProblemData:
    """Clients around two depots, the disposal site ~10 km away: the Copenhagen day in small.

    Three loads of demand in two dimensions, eight trucks (two vehicle types), a fixed cost of
    5 km a truck and optional clients worth about 1 km each.
    """
    rng = np.random.default_rng(seed)
    m = Model()
    depots = [m.add_depot(), m.add_depot()]
    xy = [(0.0, 0.0), (1_500.0, 500.0)]
    for k in range(n_clients):
        m.add_client((60, 5), service_s=60, required=k % 3 == 0, prize=1_000)
        xy.append(tuple(rng.uniform(-2_500, 2_500, 2)))
    m.add_disposal_site(unload_s=900)
    xy.append((10_000.0, 0.0))
    for depot in depots:
        m.add_vehicle_type(
            4, (2_500, 250), depot, shift_start_s=21_600, shift_end_s=50_400, fixed_cost=5_000
        )
    pts = np.array(xy)
    dist = np.rint(np.abs(pts[:, None, :] - pts[None, :, :]).sum(axis=2)).astype(np.int64)
    m.set_matrices(dist // 8, dist)  # 8 m/s
    return m.data()


@pytest.fixture(scope="module")
def far_day() -> ProblemData:
    """The small far-disposal day, built once."""
    return _far_disposal_day()


def test_warm_start_costs_what_our_objective_counts(far_day: ProblemData) -> None:
    """PyVRP prices the constructed tours (fixed, distance, prizes) exactly as we do."""
    tours = nearest_neighbour_tours(far_day)
    assert tours
    ours = objective(far_day, [make_route(far_day, t.vehicle_type, t.locations) for t in tours])
    sol = Mapping(far_day).warm_start(tours)
    theirs = sol.distance_cost() + sol.fixed_vehicle_cost() + sol.uncollected_prizes()
    assert sol.is_feasible()
    assert theirs == ours


def test_warm_start_reads_back_as_the_constructed_tours(far_day: ProblemData) -> None:
    """Mid-route unloads become reloads and the final one the virtual end: reading back is exact."""
    tours = nearest_neighbour_tours(far_day)
    assert tours and any(len(t.locations) > 1 for t in tours)
    mapping = Mapping(far_day)
    back = [mapping.route(r).locations for r in mapping.warm_start(tours).routes()]
    assert back == [list(t.locations) for t in tours]


def test_far_disposal_day_uses_reloads_not_extra_trucks(far_day: ProblemData) -> None:
    """A far disposal site: reload trips on no more trucks than the construction, at no more cost.

    Before the warm start PyVRP ended here with three one-trip trucks (the construction: one).
    """
    tours = nearest_neighbour_tours(far_day)
    assert tours
    built = objective(far_day, [make_route(far_day, t.vehicle_type, t.locations) for t in tours])
    sol = pyvrp_engine.solve_problem(far_day, 1.0, seed=1)
    assert check(far_day, sol) == []
    assert sol.objective <= built
    assert len(sol.routes) <= len(tours)
    assert max(r.num_unloads for r in sol.routes) > 1


def test_unbounded_limits_stay_pyvrp_defaults() -> None:
    """No window or shift limit maps to PyVRP's own "none" (a ten-year stand-in slows its search);
    real limits are passed on unchanged."""
    m = Model()
    depot = m.add_depot()
    m.add_client((1,))
    m.add_client((1,), time_window=(100, 5_000))
    m.add_vehicle_type(1, (5,), depot)
    m.add_vehicle_type(1, (5,), depot, shift_start_s=0, shift_end_s=30_000, max_duration_s=20_000)
    unit = np.ones((3, 3), np.int64) - np.eye(3, dtype=np.int64)
    m.set_matrices(unit, unit)
    data = Mapping(m.data()).pyvrp
    free, windowed = data.clients()
    unbounded, shift = data.vehicle_types()
    none = np.iinfo(np.int64).max
    assert free.tw_late == none and windowed.tw_late == 5_000
    assert unbounded.tw_late == none and unbounded.shift_duration == none
    assert shift.tw_late == 30_000 and shift.shift_duration == 20_000


def _one_truck_day() -> ProblemData:
    """Six clients of load 2 near the disposal site, the last one optional (worth 5 km); one
    truck of capacity 10. Best: serve all and unload once on the way."""
    m = Model()
    depot = m.add_depot()
    xy = [(0.0, 0.0)]
    for k in range(6):
        m.add_client((2,), service_s=60, required=k < 5, prize=5_000)
        xy.append((50.0 * k, 100.0))
    m.add_disposal_site(unload_s=300)
    xy.append((150.0, 200.0))
    m.add_vehicle_type(1, (10,), depot)
    pts = np.array(xy)
    dist = np.rint(np.abs(pts[:, None, :] - pts[None, :, :]).sum(axis=2)).astype(np.int64)
    m.set_matrices(dist // 8, dist)
    return m.data()


def test_a_group_search_from_its_start_keeps_a_checked_plan() -> None:
    """``solve_routes`` searches from the given routes and returns a plan the checker accepts,
    no dearer than its start; here it serves all six clients on two trips."""
    data = _one_truck_day()
    start = [make_route(data, 0, [1, 2, 3, 7, 4, 5, 6, 7])]
    assert check(data, make_solution(data, start, "test", 0.0)) == []
    found = pyvrp_engine.solve_routes(data, start, 0.3, 1)
    assert found is not None
    assert [r.num_unloads for r in found] == [2]
    assert check(data, make_solution(data, found, "test", 0.0)) == []
    assert objective(data, found) <= objective(data, start)


def test_only_a_large_city_day_keeps_pyvrps_wide_neighbourhood(
    far_day: ProblemData, monkeypatch: pytest.MonkeyPatch
) -> None:
    """From LARGE_FROM clients the neighbourhood is narrowed to NEAR_LARGE, except on a city day
    above WHOLE_CITY_FROM clients, which keeps PyVRP's default (50)."""
    seen: list[int] = []
    real = pyvrp_engine.compute_neighbours

    def spy(data, params):  # noqa: ANN001, ANN202 - PyVRP's types
        seen.append(params.num_neighbours)
        return real(data, params)

    monkeypatch.setattr(pyvrp_engine, "compute_neighbours", spy)
    monkeypatch.setattr(pyvrp_engine, "LARGE_FROM", 10)
    n = len(far_day.clients)
    for wide_from in (n, n - 1):
        monkeypatch.setattr(problem_kind, "WHOLE_CITY_FROM", wide_from)
        pyvrp_engine.solve_problem(far_day, 0.0, seed=1, max_iterations=1)
    assert seen == [pyvrp_engine.NEAR_LARGE, 50]
