"""The engine portfolio: spawned engines, checker-verified winner, single-engine mode."""

from __future__ import annotations

import logging
import os
import signal

import numpy as np
import pytest

from routing.vrp import group_search, portfolio, problem_kind
from routing.vrp.checker import check
from routing.vrp.model import Model, ProblemData
from routing.vrp.portfolio import GROUPS, HGS_UP_TO, runs_for, solve
from routing.vrp.solution import Solution


@pytest.fixture(scope="module")
def small() -> ProblemData:
    """Ten clients, one disposal site, two trucks of capacity 10."""
    rng = np.random.default_rng(3)
    m = Model()
    depot = m.add_depot()
    for _ in range(10):
        m.add_client(int(rng.integers(1, 5)), service_s=60)
    m.add_disposal_site(unload_s=300)
    m.add_vehicle_type(2, 10, depot)
    xy = rng.integers(0, 1_000, (12, 2))
    dist = np.rint(np.hypot(*(xy[:, None] - xy[None]).transpose(2, 0, 1))).astype(int)
    m.set_matrices(dist // 8, dist)
    return m.data()


def test_portfolio_returns_the_best_checked_plan(small: ProblemData) -> None:
    """Both engines run in their own process; the winner is feasible and names its engine."""
    reports: list[tuple[str, Solution]] = []
    sol = solve(small, time_limit_s=1.0, progress=lambda name, s: reports.append((name, s)))
    assert sorted(name for name, _ in reports) == ["ortools", "pyvrp"]
    assert sol.feasible and check(small, sol) == []
    assert sol.engine in {"ortools", "pyvrp"}
    assert sol.objective == min(s.objective for _, s in reports if s.feasible)
    assert any(note.startswith("ortools:") for note in sol.notes)


@pytest.mark.parametrize("engine", ["ortools", "pyvrp"])
def test_single_engine_can_be_selected(small: ProblemData, engine: str) -> None:
    """engine='ortools' or 'pyvrp' runs that engine alone, and the checker sets feasibility."""
    sol = solve(small, engine, time_limit_s=0.3)
    assert sol.engine == engine
    assert sol.feasible


def test_bad_arguments_are_refused(small: ProblemData) -> None:
    """An unknown engine or a non-positive time limit raises ValueError."""
    with pytest.raises(ValueError, match="unknown engine"):
        solve(small, "cplex", time_limit_s=1)
    with pytest.raises(ValueError, match="time_limit_s"):
        solve(small, time_limit_s=0)


def _cvrp(n: int) -> ProblemData:
    """A plain CVRP: ``n`` clients, one depot, no disposal site, window, shift or break."""
    rng = np.random.default_rng(n)
    m = Model()
    depot = m.add_depot()
    for _ in range(n):
        m.add_client(int(rng.integers(1, 5)))
    m.add_vehicle_type(n, 20, depot)
    xy = rng.integers(0, 1_000, (n + 1, 2))
    dist = np.rint(np.hypot(*(xy[:, None] - xy[None]).transpose(2, 0, 1))).astype(int)
    m.set_matrices(dist, dist)
    return m.data()


def test_the_searches_depend_on_the_problem(
    small: ProblemData, monkeypatch: pytest.MonkeyPatch
) -> None:
    """OR-Tools and PyVRP where OR-Tools models what PyVRP approximates (here: a disposal site),
    PyVRP beside HGS-CVRP on a plain CVRP up to HGS_UP_TO clients, two PyVRP seeds above, and the
    route-group search on a plain CVRP from GROUPS_FROM clients; a city day above
    WHOLE_CITY_FROM bins gets two PyVRP seeds on the whole problem, never route groups."""
    assert runs_for(small, 7) == [("ortools", 7), ("pyvrp", 7)]
    assert runs_for(_cvrp(30), 7) == [("pyvrp", 7), ("hgs", 7)]
    assert runs_for(_cvrp(HGS_UP_TO + 1), 7) == [("pyvrp", 7), ("pyvrp", 8)]
    assert runs_for(_cvrp(group_search.GROUPS_FROM), 7) == [(GROUPS, 7)]
    monkeypatch.setattr(problem_kind, "WHOLE_CITY_FROM", len(small.clients) - 1)
    assert runs_for(small, 7) == [("pyvrp", 7), ("pyvrp", 8)]


def test_plain_cvrp_portfolio_runs_pyvrp_beside_hgs() -> None:
    """On a small plain CVRP both searches report, and the winner is the better checked plan."""
    data = _cvrp(40)
    reports: list[tuple[str, Solution]] = []
    sol = solve(data, time_limit_s=1.0, progress=lambda name, s: reports.append((name, s)))
    assert sorted(name for name, _ in reports) == ["hgs", "pyvrp"]
    assert sol.feasible and check(data, sol) == []
    assert sol.objective == min(s.objective for _, s in reports if s.feasible)


def test_route_groups_on_two_processes_give_a_checked_plan(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The group search (two seeded searches, then groups side by side) returns a plan the
    checker accepts, no worse than its start, and says what it did."""
    data = _cvrp(120)
    monkeypatch.setattr(group_search, "GROUPS_FROM", 100)
    monkeypatch.setattr(group_search, "SETTINGS", group_search.Settings(0.4, 30, 1.0))
    reports: list[str] = []
    sol = solve(data, time_limit_s=5.0, progress=lambda name, s: reports.append(name))
    assert sol.feasible and check(data, sol) == []
    assert reports == ["pyvrp"]
    (note,) = sol.notes
    before, after = (int(x) for x in note.rsplit(" ", 3)[-3::2])
    assert after == sol.objective <= before


def _hgs_dies(name: str, data: ProblemData, deadline: float, seed: int) -> Solution:
    """Worker stand-in (top level, so a spawned process can import it): the HGS process dies as
    a crash of a C library would kill it; every other search runs as usual."""
    if name == "hgs":
        os.kill(os.getpid(), signal.SIGSEGV)
    return portfolio._run(name, data, deadline, seed)


def test_a_search_whose_process_dies_does_not_sink_the_other(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Each search has its own process pool: when one process dies, the other's plan is still
    returned (with one shared pool both futures would fail with BrokenProcessPool)."""
    data = _cvrp(30)
    monkeypatch.setattr(portfolio, "_run", _hgs_dies)
    with caplog.at_level(logging.ERROR, logger="routing.vrp.portfolio"):
        # long enough for the PyVRP search to be still running when the other process dies
        sol = solve(data, time_limit_s=4.0)
    assert sol.engine == "pyvrp" and sol.feasible
    assert "engine hgs failed" in caplog.text
