"""Route-based decomposition for whole-city days: re-optimise groups of nearby routes. Pure.

An iterated local search over 4,500 bins spends most of each iteration on bookkeeping that
grows with the problem, so in a fixed time it improves a whole-city plan far less than it
improves a few small ones. :func:`improve_by_groups` therefore splits a plan's routes into
groups of nearby routes (by the travel time between the routes' medoid clients), builds each
group's sub-problem -- its routes' clients, the optional clients left out nearest to them, the
depots, disposal sites and as many vehicles of each type as the group's routes use -- and lets
a solver improve it from the group's own routes. A group's result replaces its routes only when
its cost (fixed and distance costs plus prizes of skipped clients) is lower; costs add up over
groups, so the whole plan never gets worse. Solver-neutral: the solver comes as a function.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from routing.vrp.model import LocationKind, ProblemData
from routing.vrp.solution import Route, make_route, objective

# solve(sub_data, start_routes, time_limit_s, seed) -> routes over sub_data, or None
SubSolver = Callable[[ProblemData, list[Route], float, int], list[Route] | None]
# A group's task (sub_data, start_routes, time_limit_s, seed); solve_all(tasks) -> results
GroupTask = tuple[ProblemData, list[Route], float, int]
SolveAll = Callable[[list[GroupTask]], list[list[Route] | None]]
GROUP_CLIENTS = 600  # about this many clients per group
GROUP_S = 8.0  # at most this many seconds per group and round


def decomposable(data: ProblemData) -> bool:
    """Whether groups can be solved apart: no vehicle starts loaded (a re-plan's trucks)."""
    return not any(any(vt.initial_load) for vt in data.vehicle_types)


def _medoids(data: ProblemData, routes: Sequence[Route]) -> list[int]:
    """Per route, the client location with the least total travel time to its other clients."""
    out = []
    for r in routes:
        locs = np.array([v.location for v in r.visits if v.kind == LocationKind.CLIENT])
        if locs.size == 0:
            locs = np.array([r.visits[0].location])
        sub = data.duration[np.ix_(locs, locs)]
        out.append(int(locs[(sub.sum(axis=0) + sub.sum(axis=1)).argmin()]))
    return out


def group_routes(
    data: ProblemData, routes: Sequence[Route], rng: np.random.Generator, size: int = GROUP_CLIENTS
) -> list[list[int]]:
    """Route indices in groups of nearby routes, each of about ``size`` clients or more."""
    med = np.array(_medoids(data, routes))
    near = data.duration[np.ix_(med, med)] + data.duration[np.ix_(med, med)].T
    n_clients = np.array([sum(v.kind == LocationKind.CLIENT for v in r.visits) for r in routes])
    left = set(range(len(routes)))
    groups: list[list[int]] = []
    while left:
        seed = int(rng.choice(sorted(left)))
        group, count = [seed], int(n_clients[seed])
        left.discard(seed)
        for j in np.argsort(near[seed], kind="stable"):
            if count >= size or not left:
                break
            if int(j) in left:
                group.append(int(j))
                count += int(n_clients[j])
                left.discard(int(j))
        groups.append(group)
    return groups


class _Sub:
    """A group's sub-problem and the way back to the full problem's indices."""

    def __init__(
        self, data: ProblemData, routes: Sequence[Route], extra_clients: Sequence[int]
    ) -> None:
        served = [v.location for r in routes for v in r.visits if v.kind == LocationKind.CLIENT]
        mine = set(served) | set(extra_clients)
        keep = [i for i, k in enumerate(data.kinds) if k != LocationKind.CLIENT or i in mine]
        self.full = np.array(keep, dtype=np.int64)
        new = {loc: i for i, loc in enumerate(keep)}
        counts = [sum(r.vehicle_type == t for r in routes) for t in range(len(data.vehicle_types))]
        self.types = [t for t, c in enumerate(counts) if c > 0]
        type_new = {t: i for i, t in enumerate(self.types)}
        duration = data.duration[np.ix_(self.full, self.full)]
        distance = data.distance[np.ix_(self.full, self.full)]
        duration.setflags(write=False)
        distance.setflags(write=False)
        self.data = ProblemData(
            tuple(replace(d, location=new[d.location]) for d in data.depots),
            tuple(replace(c, location=new[c.location]) for c in data.clients if c.location in mine),
            tuple(replace(s, location=new[s.location]) for s in data.disposal_sites),
            tuple(
                replace(
                    data.vehicle_types[t],
                    num_available=counts[t],
                    depot=new[data.vehicle_types[t].depot],
                    start_location=new[data.vehicle_types[t].start_location],
                    end_location=new[data.vehicle_types[t].end_location],
                )
                for t in self.types
            ),
            tuple(data.kinds[i] for i in keep),
            duration,
            distance,
            data.driver_break,
            tuple(replace(p, location=new[p.location]) for p in data.plain_locations),
        )
        self.start = [
            make_route(
                self.data,
                type_new[r.vehicle_type],
                [new[loc] for loc in r.locations],
                r.start_s,
                r.break_start_s,
                r.break_after,
            )
            for r in routes
        ]

    def back(self, data: ProblemData, routes: Sequence[Route]) -> list[Route]:
        """The sub-problem's routes over the full problem's locations and vehicle types."""
        return [
            make_route(
                data,
                self.types[r.vehicle_type],
                [int(self.full[loc]) for loc in r.locations],
                r.start_s,
                r.break_start_s,
                r.break_after,
            )
            for r in routes
        ]


def improve_by_groups(
    data: ProblemData,
    routes: list[Route],
    solve: SubSolver,
    deadline: float,
    seed: int = 0,
    accept: Callable[[list[Route]], bool] = lambda routes: True,
    group_s: float = GROUP_S,
    size: int = GROUP_CLIENTS,
    solve_all: SolveAll | None = None,
    workers: int = 1,
) -> list[Route]:
    """Rounds of group re-optimisation until ``deadline`` (a ``time.perf_counter`` value).

    Each group gets at most ``group_s`` seconds a round, so that later rounds, grouping
    differently, work across the previous round's group borders. A round's groups are
    disjoint (in routes and in the skipped clients they may take up), so every improved group
    of a round is applied together. ``solve_all(tasks)`` may solve a round's groups side by
    side on ``workers`` processes; by default ``solve`` solves them one after another.
    ``accept(routes)`` vets a changed plan (for example with the checker) before it is kept.
    """
    rng = np.random.default_rng(seed)
    best = [r for r in routes if r.visits]
    run = solve_all if solve_all is not None else (lambda tasks: [solve(*t) for t in tasks])
    while time.perf_counter() < deadline - 1.0 and len(best) > 1:
        best = [r for r in best if r.visits]
        groups = group_routes(data, best, rng, size)
        if len(groups) < 2:
            return best
        served = {v.location for r in best for v in r.visits}
        skipped = [c.location for c in data.clients if c.location not in served]
        owner = _owners(data, best, groups, skipped)
        subs = [
            _Sub(
                data,
                [best[i] for i in members],
                [c for c, o in zip(skipped, owner, strict=True) if o == g],
            )
            for g, members in enumerate(groups)
        ]
        waves = -(-len(groups) // max(1, workers))
        limit = min(group_s, (deadline - time.perf_counter() - 0.5) / waves)
        if limit < 0.5:
            break
        tasks = [(sub.data, sub.start, limit, int(rng.integers(2**31))) for sub in subs]
        better = [
            (members, sub.back(data, found))
            for members, sub, found in zip(groups, subs, run(tasks), strict=True)
            if found is not None and objective(sub.data, found) < objective(sub.data, sub.start)
        ]
        best = _apply(data, best, better, accept)
    return [r for r in best if r.visits]


def _apply(
    data: ProblemData,
    best: list[Route],
    better: list[tuple[list[int], list[Route]]],
    accept: Callable[[list[Route]], bool],
) -> list[Route]:
    """``best`` with the round's improved groups in it: all of them if the result is accepted,
    else each one that is accepted on its own."""
    cand = best
    for members, new in better:
        cand = _replaced(cand, members, new)
    if not better or (objective(data, cand) < objective(data, best) and accept(cand)):
        return cand
    for members, new in better:
        cand = _replaced(best, members, new)
        if objective(data, cand) < objective(data, best) and accept(cand):
            best = cand
    return best


def _owners(
    data: ProblemData, routes: Sequence[Route], groups: list[list[int]], skipped: list[int]
) -> list[int]:
    """Per skipped client, the group of the served client nearest to it."""
    if not skipped:
        return []
    group_of = {i: g for g, members in enumerate(groups) for i in members}
    locs, owner = [], []
    for i, r in enumerate(routes):
        for v in r.visits:
            if v.kind == LocationKind.CLIENT:
                locs.append(v.location)
                owner.append(group_of[i])
    nearest = data.duration[np.ix_(skipped, locs)].argmin(axis=1)
    return [owner[int(k)] for k in nearest]


def _replaced(best: list[Route], members: list[int], new: list[Route]) -> list[Route]:
    """``best`` with the routes at ``members`` replaced by ``new`` (never more of them), routes
    left over emptied, so that the round's other groups keep their indices."""
    out = list(best)
    for slot, i in enumerate(sorted(members)):
        out[i] = new[slot] if slot < len(new) else Route(best[i].vehicle_type, (), 0, 0, 0)
    return out
