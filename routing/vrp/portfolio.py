"""Run the routing engines as a portfolio and keep the best plan the checker accepts.

Which searches run on the two processes depends on the problem (:func:`runs_for`):

* a large plain CVRP (from :data:`~routing.vrp.group_search.GROUPS_FROM` clients) whose route
  groups can be solved apart: two seeded PyVRP searches, then route groups re-optimised on both
  processes (:mod:`routing.vrp.group_search`);
* a plain CVRP (no disposal site, time window, shift or break) of up to :data:`HGS_UP_TO`
  clients that HGS-CVRP models (:func:`routing.vrp.engines.hgs_engine.supports`): one PyVRP
  search and HGS-CVRP side by side. Their searches differ (an iterated local search from one
  solution; a genetic search over a population), so where one ends in a poor basin the other
  often does not, which two seeds of the same search rarely give;
* a larger plain CVRP that cannot be decomposed, or a whole-city day (more than
  :data:`~routing.vrp.problem_kind.WHOLE_CITY_FROM` bins): two differently seeded PyVRP
  searches on the whole problem for the whole time (see :func:`runs_for`). PyVRP models these
  exactly, and OR-Tools does not compete on them (6.65 % above best known on X-n1001-k43 at
  60 s), and neither does HGS-CVRP there (5.18 %; probably because building its first
  population takes much of the minute at that size, not measured);
* otherwise OR-Tools and PyVRP, each in its own (spawned) process, for the whole time budget.

On a city day (not a plain CVRP) all of this runs on the problem with co-located bins merged
into one stop each (:mod:`routing.vrp.colocated`); the plan is expanded back and checked again.

Each returned plan is verified by :func:`routing.vrp.checker.check`, and the feasible plan with
the lowest objective wins (its ``engine`` field says who produced it). One engine can also be
run alone, in this process.
"""

from __future__ import annotations

import logging
import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import ExitStack
from dataclasses import replace

from routing.vrp import engines, group_search
from routing.vrp.checker import check
from routing.vrp.colocated import expand, merge_colocated
from routing.vrp.engines import hgs_engine
from routing.vrp.engines.decompose import decomposable
from routing.vrp.model import ProblemData
from routing.vrp.problem_kind import untimed_cvrp, whole_city
from routing.vrp.solution import Solution, make_solution, rank

log = logging.getLogger(__name__)

PORTFOLIO = "portfolio"
# Up to this many clients a plain CVRP gets HGS-CVRP beside PyVRP (measured in ARCHITECTURE.md).
HGS_UP_TO = 300
GROUPS = "groups"
Progress = Callable[[str, Solution], None]


def solve(
    data: ProblemData,
    engine: str = PORTFOLIO,
    *,
    time_limit_s: float = 10.0,
    seed: int = 0,
    progress: Progress | None = None,
) -> Solution:
    """Best plan for ``data`` from ``engine`` ("portfolio", "ortools" or "pyvrp").

    ``progress(engine_name, solution)`` is called as each engine reports. The returned
    solution's ``feasible`` flag comes from the independent checker. On a city day (not a plain
    CVRP) bins at one spot are searched as one stop (:mod:`routing.vrp.colocated`); the plan
    comes back over every bin and is checked on ``data`` itself.
    """
    if time_limit_s <= 0:
        raise ValueError("time_limit_s must be positive.")
    t0 = time.time()
    # the searches are chosen on the problem as given: on a 3,000-bin day (2,306 bins, 1,597
    # stops) the merged size would have put OR-Tools beside PyVRP, and it overran 120 s by 18 s
    runs = runs_for(data, seed)
    merged = None if untimed_cvrp(data) else merge_colocated(data)
    if merged is None:
        return _solve(data, engine, time_limit_s, seed, progress, runs)
    n_small = len(merged.data.clients)

    def back(sol: Solution) -> Solution:
        full = make_solution(data, expand(merged, data, sol.routes), sol.engine, sol.runtime_s)
        note = f"{len(data.clients)} clients searched as {n_small} stops (co-located bins merged)"
        return _verified(data, replace(full, notes=(*sol.notes, note)))

    report = None if progress is None else lambda name, sol: progress(name, back(sol))
    left = max(0.1, time_limit_s - (time.time() - t0))
    return back(_solve(merged.data, engine, left, seed, report, runs))


def _solve(
    data: ProblemData,
    engine: str,
    time_limit_s: float,
    seed: int,
    progress: Progress | None,
    runs: list[tuple[str, int]],
) -> Solution:
    """:func:`solve` on ``data`` as given, the portfolio running ``runs``."""
    if engine != PORTFOLIO:
        solver = engines.get(engine)
        sol = _verified(data, solver(data, time_limit_s, seed))
        if progress is not None:
            progress(engine, sol)
        return sol

    deadline = time.time() + time_limit_s
    results: list[Solution] = []
    ctx = multiprocessing.get_context("spawn")
    if runs == [(GROUPS, seed)]:
        with ProcessPoolExecutor(max_workers=group_search.WORKERS, mp_context=ctx) as pool:
            sol = group_search.solve(data, pool, deadline, seed)
        if progress is not None:
            progress(sol.engine, sol)
        return sol
    # one process pool per search: a search whose process dies (a solver library's crash)
    # breaks only its own pool, and the other search's plan still comes back
    with ExitStack() as stack:
        futures = {}
        for name, s in runs:
            pool = stack.enter_context(ProcessPoolExecutor(max_workers=1, mp_context=ctx))
            futures[pool.submit(_run, name, data, deadline, s)] = name
        for fut in as_completed(futures):
            name = futures[fut]
            try:
                sol = _verified(data, fut.result())
            except Exception:  # a crashed engine must not sink the portfolio
                log.exception("engine %s failed", name)
                continue
            results.append(sol)
            if progress is not None:
                progress(name, sol)
    if not results:
        raise RuntimeError("every engine of the portfolio failed; see the log.")
    best = min(results, key=rank)
    summary = tuple(
        f"{s.engine}: objective {s.objective}, {'feasible' if s.feasible else 'infeasible'}"
        for s in sorted(results, key=rank)
    )
    return replace(best, notes=best.notes + summary)


def runs_for(data: ProblemData, seed: int) -> list[tuple[str, int]]:
    """The (engine, seed) searches the portfolio runs on ``data``; ``[(GROUPS, seed)]`` means
    :func:`routing.vrp.group_search.solve`.

    A whole-city day is not split into route groups: on the 6,000-bin day at 120 s, two seeded
    searches on the whole problem gave 822,952 (seed 7's city) and 791,799 (seed 42's), where a
    tenth of the time on them and the rest on route groups gave 831,999-835,914 and
    803,246-815,363, and 70 % on them 826,198 and 808,435 (harness runs, 2026-12-01).
    """
    n, plain = len(data.clients), untimed_cvrp(data)
    if plain and n >= group_search.GROUPS_FROM and decomposable(data):
        return [(GROUPS, seed)]
    if plain and n <= HGS_UP_TO and hgs_engine.supports(data):
        return [("pyvrp", seed), (hgs_engine.NAME, seed)]
    if whole_city(data) or plain:
        return [("pyvrp", seed), ("pyvrp", seed + 1)]
    return [("ortools", seed), ("pyvrp", seed)]


def _verified(data: ProblemData, sol: Solution) -> Solution:
    violations = check(data, sol)
    for v in violations[:5]:
        log.warning("%s plan: %s", sol.engine, v.message)
    return replace(sol, feasible=not violations)


def _run(name: str, data: ProblemData, deadline: float, seed: int) -> Solution:
    """Worker: run engine ``name`` until the wall-clock ``deadline`` (spawn-safe, top level)."""
    solver = engines.get(name)  # imports the solver library inside the worker
    return solver(data, max(0.1, deadline - time.time()), seed)
