"""Run the routing engines as a portfolio and keep the best plan the checker accepts.

By default every engine runs in its own (spawned) process for the whole time budget (on a
whole-city day, two differently seeded PyVRP searches instead, see :data:`WHOLE_CITY_FROM`); each
returned plan is verified by :func:`routing.vrp.checker.check`, and the feasible plan with the
lowest objective wins (its ``engine`` field says who produced it). One engine can also be
run alone, in this process.
"""

from __future__ import annotations

import logging
import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import replace

from routing.vrp import engines
from routing.vrp.checker import check
from routing.vrp.engines.decompose import decomposable
from routing.vrp.model import ProblemData
from routing.vrp.solution import Solution

log = logging.getLogger(__name__)

PORTFOLIO = "portfolio"
# From this many clients (a whole-city day) OR-Tools no longer improves the constructed start
# in minutes (on the 4,500-bin benchmark day it returned it unchanged after 120 s), so both
# processes run PyVRP's decomposing search, differently seeded.
WHOLE_CITY_FROM = 2000
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
    solution's ``feasible`` flag comes from the independent checker.
    """
    if time_limit_s <= 0:
        raise ValueError("time_limit_s must be positive.")
    if engine != PORTFOLIO:
        solver = engines.get(engine)
        sol = _verified(data, solver(data, time_limit_s, seed))
        if progress is not None:
            progress(engine, sol)
        return sol

    deadline = time.time() + time_limit_s
    runs = [(name, seed) for name in sorted(engines.ENGINES)]
    if len(data.clients) > WHOLE_CITY_FROM and decomposable(data):
        runs = [("pyvrp", seed), ("pyvrp", seed + 1)]
    results: list[Solution] = []
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=len(runs), mp_context=ctx) as pool:
        futures = {pool.submit(_run, name, data, deadline, s): name for name, s in runs}
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
    best = min(results, key=_rank)
    summary = tuple(
        f"{s.engine}: objective {s.objective}, {'feasible' if s.feasible else 'infeasible'}"
        for s in sorted(results, key=_rank)
    )
    return replace(best, notes=best.notes + summary)


def _rank(sol: Solution) -> tuple[bool, int]:
    return (not sol.feasible, sol.objective)


def _verified(data: ProblemData, sol: Solution) -> Solution:
    violations = check(data, sol)
    for v in violations[:5]:
        log.warning("%s plan: %s", sol.engine, v.message)
    return replace(sol, feasible=not violations)


def _run(name: str, data: ProblemData, deadline: float, seed: int) -> Solution:
    """Worker: run engine ``name`` until the wall-clock ``deadline`` (spawn-safe, top level)."""
    solver = engines.get(name)  # imports the solver library inside the worker
    return solver(data, max(0.1, deadline - time.time()), seed)
