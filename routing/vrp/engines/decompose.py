"""Route-based decomposition for large plain CVRPs: re-optimise groups of nearby routes. Pure.

An iterated local search over a thousand clients spends much of each iteration on bookkeeping
that grows with the problem, so in a fixed time it improves a large plan less than it improves a
few small ones (X-n1001-k43 at 60 s: see :mod:`routing.vrp.group_search`).
:func:`improve_by_groups` therefore splits a plan's routes into
groups of nearby routes (by the travel time between the routes' medoid clients), builds each
group's sub-problem -- its routes' clients, the optional clients left out nearest to them, the
depots, disposal sites and as many vehicles of each type as the group's routes use -- and lets
a solver improve it from the group's own routes. A group's result replaces its routes only when
its cost (fixed and distance costs plus prizes of skipped clients) is lower; costs add up over
groups, so the whole plan never gets worse. Solver-neutral: the solver comes as a function, or
as ``submit`` (a process pool's), which keeps ``workers`` disjoint groups in flight: a finished
group is applied at once and the next one starts, so no process waits for a slower group.

A truck that unloads and drives on serves one area per trip, so nearness is measured trip by
trip: two routes are as near as their nearest pair of trips (by the trips' medoid clients).
The groups work on any plan whose trucks start empty, a whole-city day's too, but whole-city
days are no longer decomposed: there the whole-problem search alone now gives the better plan in
the same time (see :func:`routing.vrp.portfolio.runs_for`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import replace

import numpy as np

from routing.vrp.model import LocationKind, ProblemData
from routing.vrp.restrict import restrict
from routing.vrp.solution import Route, make_route, objective

log = logging.getLogger(__name__)

# solve(sub_data, start_routes, time_limit_s, seed) -> routes over sub_data, or None
SubSolver = Callable[[ProblemData, list[Route], float, int], list[Route] | None]
# A group's task (sub_data, start_routes, time_limit_s, seed); submit(task) -> its future result
GroupTask = tuple[ProblemData, list[Route], float, int]
Submit = Callable[[GroupTask], "Future[list[Route] | None]"]
GROUP_CLIENTS = 600  # about this many clients per group
GROUP_S = 8.0  # at most this many seconds per group


def decomposable(data: ProblemData) -> bool:
    """Whether groups can be solved apart: no vehicle starts loaded (a re-plan's trucks)."""
    return not any(any(vt.initial_load) for vt in data.vehicle_types)


def _medoids(data: ProblemData, routes: Sequence[Route]) -> list[list[int]]:
    """Per route, per trip, the client with the least total travel time to the trip's others
    (none for an emptied route)."""
    out = []
    for r in routes:
        meds = []
        for trip in _trips(r):
            locs = np.array(trip)
            sub = data.duration[np.ix_(locs, locs)]
            meds.append(int(locs[(sub.sum(axis=0) + sub.sum(axis=1)).argmin()]))
        if not meds and r.visits:  # a route of unloads only
            meds = [r.visits[0].location]
        out.append(meds)
    return out


def _trips(route: Route) -> list[list[int]]:
    """The clients of each of ``route``'s trips, in order."""
    trips: list[list[int]] = [[]]
    for v in route.visits:
        if v.kind == LocationKind.CLIENT:
            trips[-1].append(v.location)
        elif trips[-1]:
            trips.append([])
    return [t for t in trips if t]


def route_nearness(data: ProblemData, routes: Sequence[Route]) -> np.ndarray:
    """(routes, routes) travel time there and back between the routes' nearest trip medoids;
    infinite to and from an emptied route."""
    meds = _medoids(data, routes)
    flat = np.array([m for ms in meds for m in ms], dtype=np.int64)
    owner = np.array([i for i, ms in enumerate(meds) for _ in ms], dtype=np.int64)
    both = data.duration[np.ix_(flat, flat)] + data.duration[np.ix_(flat, flat)].T
    near = np.full((len(routes), len(routes)), np.inf)
    np.minimum.at(near, (owner[:, None], owner[None, :]), both)
    return near


def pick_group(
    data: ProblemData,
    routes: Sequence[Route],
    rng: np.random.Generator,
    size: int,
    free: set[int],
    pending: set[int],
) -> list[int]:
    """Indices of one group of nearby ``free`` routes of about ``size`` clients or more.

    Its first route is drawn from ``pending`` (the routes no group has started from in this
    cycle; refilled from ``free`` when none of it is free), the rest are the free routes
    nearest to it. Every route of the group leaves ``pending``. Empty when nothing is free.
    """
    if not pending & free:
        pending |= free
    if not pending & free:
        return []
    first = int(rng.choice(sorted(pending & free)))
    near = route_nearness(data, routes)[first]
    group, count = [first], _clients(routes[first])
    for j in (int(j) for j in np.argsort(near, kind="stable")):
        if count >= size:
            break
        if j in free and j not in group:
            group.append(j)
            count += _clients(routes[j])
    pending.difference_update(group)
    return group


def _clients(route: Route) -> int:
    return sum(v.kind == LocationKind.CLIENT for v in route.visits)


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
        self.data = restrict(
            data,
            keep,
            [c for c in data.clients if c.location in mine],
            [replace(data.vehicle_types[t], num_available=counts[t]) for t in self.types],
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
    submit: Submit | None = None,
    workers: int = 1,
) -> list[Route]:
    """Groups re-optimised one after another until ``deadline`` (a ``time.perf_counter`` value).

    Each group gets at most ``group_s`` seconds, so that later groups, drawn differently, work
    across earlier groups' borders. ``submit(task)`` may solve groups on ``workers`` processes:
    that many disjoint groups (in routes and in the skipped clients they may take up) are then
    in flight at once, and each is applied as it finishes; by default ``solve`` solves them one
    at a time here. ``accept(routes)`` vets a changed plan (for example with the checker)
    before it is kept. A group whose solver raised, or a group that could not be started (a
    broken process pool), ends the search with the plan found so far, and the error is logged.
    """
    rng = np.random.default_rng(seed)
    best = [r for r in routes if r.visits]
    run = submit if submit is not None else _inline(solve)
    busy: dict[Future[list[Route] | None], tuple[list[int], _Sub, set[int]]] = {}
    pending: set[int] = set()
    failed = False
    while True:
        while not failed and len(busy) < max(1, workers):
            limit = min(group_s, deadline - time.perf_counter() - 0.5)
            taken = {i for members, *_ in busy.values() for i in members}
            free = {i for i, r in enumerate(best) if r.visits} - taken
            if limit < 0.5 or len(best) < 2 or not free:
                break
            try:
                members = pick_group(data, best, rng, size, free, pending)
                claimed = set().union(*(extra for _, _, extra in busy.values()))
                extra = [c for c in _skipped_near(data, best, members) if c not in claimed]
                sub = _Sub(data, [best[i] for i in members], extra)
                task = (sub.data, sub.start, limit, int(rng.integers(2**31)))
                busy[run(task)] = (members, sub, set(extra))
            except Exception:  # a broken pool (or a bug here): keep the plan found so far
                log.exception("starting a route group failed")
                failed = True
        if not busy:
            break
        done, _ = wait(busy, return_when=FIRST_COMPLETED)
        for fut in done:
            members, sub, _ = busy.pop(fut)
            try:
                found = fut.result()
            except Exception:  # a broken solver: keep what the other groups found
                log.exception("a route group's search failed")
                failed = True
                continue
            if found is None or objective(sub.data, found) >= objective(sub.data, sub.start):
                continue
            cand = _replaced(best, members, sub.back(data, found))
            if objective(data, cand) < objective(data, best) and accept(cand):
                best = cand
    return [r for r in best if r.visits]


def _inline(solve: SubSolver) -> Submit:
    """``submit`` that solves the task here and returns its finished future."""

    def run(task: GroupTask) -> Future[list[Route] | None]:
        fut: Future[list[Route] | None] = Future()
        try:
            fut.set_result(solve(*task))
        except Exception as exc:  # handed to the caller through the future, as a pool would
            fut.set_exception(exc)
        return fut

    return run


def _skipped_near(data: ProblemData, routes: Sequence[Route], members: list[int]) -> list[int]:
    """The skipped clients whose nearest served client is on one of ``members``' routes."""
    served = {v.location for r in routes for v in r.visits}
    skipped = [c.location for c in data.clients if c.location not in served]
    locs, owner = [], []
    for i, r in enumerate(routes):
        for v in r.visits:
            if v.kind == LocationKind.CLIENT:
                locs.append(v.location)
                owner.append(i)
    if not skipped or not locs:
        return []
    nearest = data.duration[np.ix_(skipped, locs)].argmin(axis=1)
    mine = set(members)
    return [c for c, k in zip(skipped, nearest, strict=True) if owner[int(k)] in mine]


def _replaced(best: list[Route], members: list[int], new: list[Route]) -> list[Route]:
    """``best`` with the routes at ``members`` replaced by ``new`` (never more of them), routes
    left over emptied, so that the groups still in flight keep their indices."""
    out = list(best)
    for slot, i in enumerate(sorted(members)):
        out[i] = new[slot] if slot < len(new) else Route(best[i].vehicle_type, (), 0, 0, 0)
    return out
