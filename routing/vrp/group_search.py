"""Both cores on one large plan: two seeded searches, then route groups solved side by side.

On a large plain CVRP (from :data:`GROUPS_FROM` clients; see
:func:`routing.vrp.portfolio.runs_for`) a whole-problem search improves a plan
slowly, and two independent searches only give the better of two slow results. Here the time is
split:

1. for ``share`` of the budget, two differently seeded PyVRP searches on the whole problem, each
   in its own (spawned) process; the better plan the checker accepts is kept;
2. for the rest, :func:`~routing.vrp.engines.decompose.improve_by_groups` on that plan: groups
   of nearby routes re-optimised on the same two processes, two disjoint groups in flight at
   any time; each improved group is applied as it finishes (the combined plan checked before
   it is kept) and the freed process starts on the next group.

Only for problems whose groups can be solved apart (no truck starts loaded).
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace

from routing.vrp.checker import is_feasible
from routing.vrp.engines.decompose import improve_by_groups
from routing.vrp.model import ProblemData
from routing.vrp.solution import Route, Solution, make_solution, objective, rank

log = logging.getLogger(__name__)

GROUPS_FROM = 500  # plain CVRP clients (measured in ARCHITECTURE.md)
WORKERS = 2


@dataclass(frozen=True)
class Settings:
    """How the time and the plan are split for a problem of a given size."""

    share: float  # of the budget for the whole-problem searches
    group_clients: int  # about this many clients per group
    group_s: float  # at most this long per group


# Chosen on X-n1001-k43 (60 s): whole-problem search 2.12 % above best known on one core, half
# the time then on groups of 250 clients 1.85 %.
SETTINGS = Settings(share=0.5, group_clients=250, group_s=5.0)


def solve(data: ProblemData, pool: ProcessPoolExecutor, deadline: float, seed: int) -> Solution:
    """The best checked plan by ``deadline`` (a ``time.time`` value), searched on ``pool``."""
    t0 = time.time()
    cfg = SETTINGS
    first_deadline = t0 + (deadline - t0) * cfg.share
    futures = [pool.submit(_whole, data, first_deadline, s) for s in (seed, seed + 1)]
    checked = []
    for fut in futures:
        try:
            checked.append(replace(sol := fut.result(), feasible=is_feasible(data, sol)))
        except Exception:  # one crashed search must not sink the other
            log.exception("whole-problem search failed")
    if not checked:
        raise RuntimeError("both whole-problem searches failed; see the log.")
    best = min(checked, key=rank)
    if not best.feasible:
        return best
    before = best.objective
    left = deadline - time.time()
    try:
        routes = _improve(data, best, pool, time.perf_counter() + left, seed, cfg)
    except Exception:  # an error outside the group loop: the checked start stands
        log.exception("route-group search failed")
        return best
    sol = make_solution(data, routes, best.engine, time.time() - t0)
    note = (
        f"{best.engine}: two seeded searches, then route groups on {WORKERS} processes, "
        f"{before} -> {objective(data, routes)}"
    )
    return replace(sol, feasible=is_feasible(data, sol), notes=(note,))


def _improve(
    data: ProblemData,
    best: Solution,
    pool: ProcessPoolExecutor,
    deadline: float,
    seed: int,
    cfg: Settings,
) -> list[Route]:
    return improve_by_groups(
        data,
        list(best.routes),
        _solve_group,
        deadline,
        seed,
        lambda cand: is_feasible(data, make_solution(data, cand, best.engine, 0.0)),
        group_s=cfg.group_s,
        size=cfg.group_clients,
        submit=lambda task: pool.submit(_solve_group, *task),
        workers=WORKERS,
    )


def _whole(data: ProblemData, deadline: float, seed: int) -> Solution:
    """Worker: PyVRP on the whole problem until the wall-clock ``deadline`` (spawn-safe)."""
    from routing.vrp.engines import pyvrp_engine  # the solver library loads in the worker only

    return pyvrp_engine.solve_problem(data, max(0.1, deadline - time.time()), seed)


def _solve_group(
    data: ProblemData, start: list[Route], time_limit_s: float, seed: int
) -> list[Route] | None:
    """Worker: one group's sub-problem (spawn-safe, top level)."""
    from routing.vrp.engines import pyvrp_engine

    return pyvrp_engine.solve_routes(data, start, time_limit_s, seed)
