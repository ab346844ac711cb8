"""Typed routing results: routes of visits, their schedule, load profile and totals.

Engines hand over, per used vehicle, the ordered location indices it visits (clients and
disposal sites; the start and end locations are implicit), its departure time and, when a driver
break is configured, where the break falls. :func:`make_route` then computes the schedule,
distance and load profile from :class:`~routing.vrp.model.ProblemData` so both engines report
alike. Feasibility is *not* judged here: :mod:`routing.vrp.checker` does that independently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from routing.vrp.model import LocationKind, ProblemData


@dataclass(frozen=True, slots=True)
class Visit:
    """One stop: a client served or a disposal site where the truck unloads."""

    location: int
    kind: LocationKind
    arrival_s: int  # ready to serve (after travel, and after the break if taken just before)
    start_s: int  # service or unload starts (after any wait for the time window)
    end_s: int
    load: tuple[int, ...]  # on board after the stop (all zeros after an unload)


@dataclass(frozen=True, slots=True)
class Route:
    """One vehicle's day: start location, visits in order, end location (see its type)."""

    vehicle_type: int
    visits: tuple[Visit, ...]
    start_s: int  # departure from the start location
    end_s: int  # arrival at the end location
    distance_m: int
    break_start_s: int | None = None
    break_after: int | None = None  # index of the visit before the break; -1 = before the first

    @property
    def locations(self) -> list[int]:
        return [v.location for v in self.visits]

    @property
    def duration_s(self) -> int:
        return self.end_s - self.start_s

    @property
    def num_unloads(self) -> int:
        return sum(v.kind == LocationKind.DISPOSAL for v in self.visits)


@dataclass(frozen=True)
class Solution:
    """A plan: routes, what the engine reported, and totals recomputed from the data."""

    routes: tuple[Route, ...]
    engine: str
    objective: int
    runtime_s: float
    feasible: bool = False  # set from routing.vrp.checker by routing.vrp.portfolio
    unvisited: tuple[int, ...] = ()  # optional clients left out (location indices)
    notes: tuple[str, ...] = field(default=())

    @property
    def distance_m(self) -> int:
        return sum(r.distance_m for r in self.routes)

    @property
    def duration_s(self) -> int:
        return sum(r.duration_s for r in self.routes)


def make_route(
    data: ProblemData,
    vehicle_type: int,
    locations: Sequence[int],
    start_s: int | None = None,
    break_start_s: int | None = None,
    break_after: int | None = None,
) -> Route:
    """Schedule ``locations`` for a vehicle of ``vehicle_type`` leaving at ``start_s``.

    Arrives as early as possible and waits for time windows. A break starting at
    ``break_start_s`` on the leg after visit ``break_after`` (-1: the leg from the start) delays
    the next arrival to ``max(arrival, break_start_s) + duration``: the driver stops en route,
    or waits at the next stop. The load starts at the type's initial load; unloads reset it.
    """
    vt = data.vehicle_types[vehicle_type]
    t = vt.shift_start_s if start_s is None else start_s
    start = t
    brk = data.driver_break
    # the break falls on leg ``break_after + 1`` (leg i ends at visit i, the last at the end)
    break_leg = None
    if break_start_s is not None and brk is not None:
        break_leg = (-1 if break_after is None else break_after) + 1
    load = list(vt.initial_load)
    dist = 0
    visits: list[Visit] = []
    stops = [*locations, vt.end_location]
    prev = vt.start_location
    for i, loc in enumerate(stops):
        t += int(data.duration[prev, loc])
        dist += int(data.distance[prev, loc])
        if i == break_leg and break_start_s is not None and brk is not None:
            t = max(t, break_start_s) + brk.duration_s
        prev = loc
        if i == len(locations):
            break
        arrival = t
        if data.kinds[loc] == LocationKind.CLIENT:
            c = data.client_at(loc)
            begin = max(arrival, c.tw_early_s)
            end = begin + c.service_s
            load = [x + d for x, d in zip(load, c.demand, strict=True)]
            kind = LocationKind.CLIENT
        else:
            begin = arrival
            end = begin + data.disposal_at(loc).unload_s
            load = [0] * len(load)
            kind = LocationKind.DISPOSAL
        visits.append(Visit(loc, kind, arrival, begin, end, tuple(load)))
        t = end
    return Route(vehicle_type, tuple(visits), start, t, dist, break_start_s, break_after)


def objective(data: ProblemData, routes: Sequence[Route]) -> int:
    """Fixed and distance costs of the used vehicles plus prizes of skipped optional clients."""
    cost = 0
    served: set[int] = set()
    for r in routes:
        if not r.visits:
            continue
        vt = data.vehicle_types[r.vehicle_type]
        cost += vt.fixed_cost + vt.distance_cost * r.distance_m
        served.update(v.location for v in r.visits)
    cost += sum(c.prize for c in data.clients if not c.required and c.location not in served)
    return cost


def make_solution(
    data: ProblemData, routes: Sequence[Route], engine: str, runtime_s: float
) -> Solution:
    """A solution from non-empty routes, with objective and skipped clients filled in."""
    kept = tuple(r for r in routes if r.visits)
    served = {loc for r in kept for loc in r.locations}
    unvisited = tuple(c.location for c in data.clients if c.location not in served)
    return Solution(kept, engine, objective(data, kept), runtime_s, unvisited=unvisited)


def rank(sol: Solution) -> tuple[bool, int]:
    """Sort key of plans: feasible before infeasible, then the lower objective."""
    return (not sol.feasible, sol.objective)
