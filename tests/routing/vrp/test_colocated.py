"""Co-located bins searched as one stop: what merges, and plans that expand back legally."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from routing.vrp import problem_kind
from routing.vrp.checker import check
from routing.vrp.colocated import expand, merge_colocated
from routing.vrp.engines.construction import nearest_neighbour_tours
from routing.vrp.model import Model, ProblemData
from routing.vrp.portfolio import solve
from routing.vrp.solution import make_route, make_solution, objective
from tests.routing.vrp.strategies import CAPACITY, matrices


def _spots(points: list[tuple[int, int]], clients: list[dict[str, object]]) -> ProblemData:
    """A depot at (0, 0), ``clients`` at ``points``, one disposal site, two trucks."""
    m = Model()
    depot = m.add_depot()
    for kw in clients:
        m.add_client(**kw)  # type: ignore[arg-type]
    m.add_disposal_site(unload_s=120)
    m.add_vehicle_type(2, CAPACITY, depot, shift_end_s=50_000)
    m.set_matrices(*matrices(np.array([(0, 0), *points, (250, 250)])))
    return m.data()


def test_bins_at_one_spot_become_one_stop() -> None:
    a, b = (100, 40), (10, 200)
    data = _spots(
        [a, a, a, b, a],
        [
            {"demand": (2, 1), "service_s": 60},
            {"demand": (3, 1), "service_s": 60, "required": False, "prize": 400},
            {"demand": (1, 0), "service_s": 30, "required": False, "prize": 100},
            {"demand": (1, 1), "service_s": 60},
            {"demand": (1, 1), "service_s": 60, "time_window": (600, 9_000)},
        ],
    )
    merged = merge_colocated(data)
    assert merged is not None
    spot = merged.data.clients[0]
    assert len(merged.data.clients) == 3  # the three at a; b; the one at a with its own window
    assert spot.demand == (6, 2) and spot.service_s == 150 and spot.prize == 500
    assert spot.required  # an optional bin beside a required one is emptied on the same stop
    assert merged.members[spot.location] == tuple(c.location for c in data.clients[:3])
    late = merged.data.clients[2]
    assert (late.tw_early_s, late.tw_late_s) == (600, 9_000)


def test_a_spot_never_outgrows_the_smallest_truck() -> None:
    a = (100, 40)
    data = _spots([a] * 5, [{"demand": (4, 1), "service_s": 60}] * 5)
    merged = merge_colocated(data)
    assert merged is not None
    assert sorted(c.demand[0] for c in merged.data.clients) == [4, 8, 8]


def test_a_window_closes_early_enough_for_the_last_bin() -> None:
    a = (100, 40)
    window = (0, 1_000)
    data = _spots([a] * 3, [{"demand": (1, 1), "service_s": 600, "time_window": window}] * 3)
    merged = merge_colocated(data)
    assert merged is not None  # the third bin's service could start at 1,200 at the earliest
    assert [c.tw_late_s for c in merged.data.clients] == [400, 1_000]


def test_nothing_merges_without_a_shared_spot() -> None:
    data = _spots([(100, 40), (10, 200)], [{"demand": (1, 1)}] * 2)
    assert merge_colocated(data) is None


@st.composite
def crowded(draw: st.DrawFn) -> ProblemData:
    """Random city days whose bins stand at three spots: reloads, windows, optional bins and
    a driver break."""
    spots = [(draw(st.integers(0, 300)), draw(st.integers(0, 300))) for _ in range(3)]
    n = draw(st.integers(2, 9))
    m = Model()
    depot = m.add_depot()
    for _ in range(n):
        early = draw(st.sampled_from([0, 0, 600]))
        m.add_client(
            (draw(st.integers(0, 4)), draw(st.integers(0, 3))),
            service_s=draw(st.integers(0, 120)),
            required=draw(st.booleans()),
            prize=draw(st.integers(0, 5_000)),
            time_window=(early, early + draw(st.sampled_from([2_000, 40_000]))),
        )
    m.add_disposal_site(unload_s=draw(st.integers(0, 300)))
    m.add_vehicle_type(n, CAPACITY, depot, shift_end_s=60_000, max_duration_s=50_000)
    if draw(st.booleans()):
        m.set_driver_break(600, 300, 3_000)
    points = [(0, 0)] + [draw(st.sampled_from(spots)) for _ in range(n)] + [(300, 0)]
    m.set_matrices(*matrices(np.array(points)))
    return m.data()


@settings(max_examples=300, deadline=None, derandomize=True)
@given(data=crowded())
def test_a_plan_of_the_merged_problem_expands_to_a_legal_plan_of_the_same_cost(
    data: ProblemData,
) -> None:
    merged = merge_colocated(data)
    if merged is None:
        return
    tours = nearest_neighbour_tours(merged.data)
    if tours is None:
        return
    small = [
        make_route(
            merged.data, t.vehicle_type, t.locations, t.start_s, t.break_start_s, t.break_after
        )
        for t in tours
    ]
    small_plan = make_solution(merged.data, small, "construction", 0.0)
    assert check(merged.data, small_plan) == []
    plan = make_solution(data, expand(merged, data, small), "construction", 0.0)
    assert check(data, plan) == []
    assert plan.objective == objective(merged.data, small)
    served = sorted(loc for r in plan.routes for loc in r.locations if loc in merged.members)
    assert len(served) == len(set(served))


def _crowded_day() -> ProblemData:
    """30 bins at 6 spots."""
    rng = np.random.default_rng(5)
    spots = [tuple(p) for p in rng.integers(0, 300, (6, 2))]
    points = [spots[int(i)] for i in rng.integers(0, 6, 30)]
    return _spots(points, [{"demand": (1, 1), "service_s": 60}] * 30)


def test_the_portfolio_plans_every_bin_of_a_crowded_day() -> None:
    data = _crowded_day()
    sol = solve(data, "pyvrp", time_limit_s=1.0, seed=1)
    assert sol.feasible and check(data, sol) == []
    served = sorted(loc for r in sol.routes for loc in r.locations if loc <= 30)
    assert served == list(range(1, 31))
    assert any("co-located" in n for n in sol.notes)


def test_merging_does_not_change_which_searches_run(monkeypatch) -> None:
    """The engines are chosen on the bins as given: 30 bins make a whole-city day here (the
    threshold lowered to 20) although they merge into 6 stops, so two PyVRP searches run."""
    monkeypatch.setattr(problem_kind, "WHOLE_CITY_FROM", 20)
    data = _crowded_day()
    reports: list[str] = []
    sol = solve(data, time_limit_s=1.0, seed=1, progress=lambda name, s: reports.append(name))
    assert reports == ["pyvrp", "pyvrp"]
    assert sol.feasible and check(data, sol) == []
