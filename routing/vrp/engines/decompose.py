"""Route-based decomposition for whole-city days: re-optimise groups of nearby routes. Pure.

An iterated local search over 4,500 bins spends most of each iteration on bookkeeping that
grows with the problem, so in a fixed time it improves a whole-city plan far less than it
improves a few small ones. :func:`improve_by_groups` therefore splits a plan's routes into
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
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import replace

import numpy as np

from routing.vrp.model import LocationKind, ProblemData
from routing.vrp.solution import Route, make_route, objective

log = logging.getLogger(__name__)

# solve(sub_data, start_routes, time_limit_s, seed, fewer_trips) -> routes over sub_data, or
# None; with fewer_trips the vehicle of start_routes[0] must make one trip fewer
SubSolver = Callable[[ProblemData, list[Route], float, int, bool], list[Route] | None]
# A group's task (sub_data, start_routes, time_limit_s, seed, fewer_trips); submit(task) -> its
# future result
GroupTask = tuple[ProblemData, list[Route], float, int, bool]
Submit = Callable[[GroupTask], "Future[list[Route] | None]"]
GROUP_CLIENTS = 600  # about this many clients per group
GROUP_S = 8.0  # at most this many seconds per group
TRIP_GROUP_ROUTES = 4  # a trip group: the route to make a trip fewer, the roomiest, the nearest
TRIP_CANDIDATES = 4  # that route is drawn among this many with the least surplus load


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


def pick_trip_group(
    data: ProblemData, routes: Sequence[Route], rng: np.random.Generator, free: set[int]
) -> list[int]:
    """A free route that may make a trip fewer, first, then the free route with the most room
    to take its surplus, then its nearest free routes (:data:`TRIP_GROUP_ROUTES` in all);
    empty when no free route makes two trips or more.

    The route is drawn among the :data:`TRIP_CANDIDATES` with the least surplus: its load (as a
    share of its capacity, the fullest dimension) less its trips but one, which is what the
    other routes must take over. Trucks that make two trips mostly work a full shift, so the
    surplus needs a route with room both in its last trip and in its shift (:func:`_room`): on
    the 6,000-bin day's plan after the whole-problem search, 16 s trip groups of the truck and
    its three nearest routes dropped a trip in none of 6 runs; with the roomiest route (43 %
    room) in place of the third nearest, 6 of 8 dropped one. Where no route has room (another
    city's 120 s plan, the roomiest 8 %), none of 24 trip groups (three ways of choosing the
    routes) came out cheaper: 2,835-72,225 more (measured 2026-11-30).
    """
    demand = {c.location: c.demand for c in data.clients}
    ranked, room = [], []
    for i in sorted(free):
        trips = _trips(routes[i])
        if not trips:
            continue
        cap = np.maximum(data.vehicle_types[routes[i].vehicle_type].capacity, 1)
        loads = [np.sum([demand[loc] for loc in t], axis=0) / cap for t in trips]
        room.append((_room(data, routes[i], float(loads[-1].max())), i))
        if len(trips) >= 2:
            ranked.append((float(np.sum(loads, axis=0).max()) - (len(trips) - 1), i))
    if not ranked:
        return []
    ranked.sort()
    first = ranked[int(rng.integers(min(TRIP_CANDIDATES, len(ranked))))][1]
    roomiest = [i for _, i in sorted(room, key=lambda x: -x[0]) if i != first][:1]
    near = route_nearness(data, routes)[first]
    rest = [
        int(j)
        for j in np.argsort(near, kind="stable")
        if int(j) in free and j != first and int(j) not in roomiest
    ]
    return [first, *roomiest, *rest][:TRIP_GROUP_ROUTES]


def _room(data: ProblemData, route: Route, last_load: float) -> float:
    """The smaller of the room left in a route's last trip and in its shift (shares)."""
    vt = data.vehicle_types[route.vehicle_type]
    span = max(1, min(vt.max_duration_s, vt.shift_end_s - vt.shift_start_s))
    return min(1.0 - last_load, 1.0 - route.duration_s / span)


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
    submit: Submit | None = None,
    workers: int = 1,
    trips_from: float | None = None,
) -> list[Route]:
    """Groups re-optimised one after another until ``deadline`` (a ``time.perf_counter`` value).

    Each group gets at most ``group_s`` seconds, so that later groups, drawn differently, work
    across earlier groups' borders. ``submit(task)`` may solve groups on ``workers`` processes:
    that many disjoint groups (in routes and in the skipped clients they may take up) are then
    in flight at once, and each is applied as it finishes; by default ``solve`` solves them one
    at a time here. ``accept(routes)`` vets a changed plan (for example with the checker)
    before it is kept. A group whose solver raised, or a group that could not be started (a
    broken process pool), ends the search with the plan found so far, and the error is logged.

    From ``trips_from`` (a share of the time until ``deadline``) on, every second group
    started is a *trip group* (one at a time, twice as long, see :func:`pick_trip_group`) in
    which one truck must make a trip fewer. A local search rarely gets there by itself: it
    must move a whole trip's load to other trucks before the saved unload pays, so on a
    whole-city day the 120 s plan was bimodal (see :mod:`routing.vrp.group_search`).
    """
    rng = np.random.default_rng(seed)
    best = [r for r in routes if r.visits]
    run = submit if submit is not None else _inline(solve)
    busy: dict[Future[list[Route] | None], tuple[list[int], _Sub, set[int], bool]] = {}
    pending: set[int] = set()
    failed = False
    now = time.perf_counter()
    trips_at = None if trips_from is None else now + trips_from * (deadline - now)
    started = 0
    while True:
        while not failed and len(busy) < max(1, workers):
            limit = min(group_s, deadline - time.perf_counter() - 0.5)
            taken = {i for members, *_ in busy.values() for i in members}
            free = {i for i, r in enumerate(best) if r.visits} - taken
            if limit < 0.5 or len(best) < 2 or not free:
                break
            try:
                started += 1
                fewer = trips_at is not None and time.perf_counter() >= trips_at
                fewer = fewer and started % 2 == 0 and not any(t for *_, t in busy.values())
                members = pick_trip_group(data, best, rng, free) if fewer else []
                fewer = bool(members)
                if fewer:
                    limit = min(2 * group_s, deadline - time.perf_counter() - 0.5)
                else:
                    members = pick_group(data, best, rng, size, free, pending)
                claimed = set().union(*(extra for _, _, extra, _ in busy.values()))
                extra = [c for c in _skipped_near(data, best, members) if c not in claimed]
                sub = _Sub(data, [best[i] for i in members], extra)
                task = (sub.data, sub.start, limit, int(rng.integers(2**31)), fewer)
                busy[run(task)] = (members, sub, set(extra), fewer)
            except Exception:  # a broken pool (or a bug here): keep the plan found so far
                log.exception("starting a route group failed")
                failed = True
        if not busy:
            break
        done, _ = wait(busy, return_when=FIRST_COMPLETED)
        for fut in done:
            members, sub, _, _ = busy.pop(fut)
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
