"""A solver-neutral construction heuristic: nearest-neighbour routes with unload trips.

Pure (numpy and the domain types only): engines use it as a guaranteed first solution. It
handles every rule of :class:`~routing.vrp.model.ProblemData` -- per-dimension capacities with
unloads at disposal sites, start and end locations, initial loads, shifts, maximum durations,
time windows, the driver break and optional clients with prizes -- so each route it returns
passes :mod:`routing.vrp.checker`.

Vehicles are opened one at a time while required clients remain (then while a route of
optional clients pays for itself), starting nearest to a waiting client, largest capacity
first; a route leaves its vehicle's start location with the vehicle's initial load on board.
A route then repeatedly drives to the nearest client it can still serve: the load fits,
service starts within the window, and the truck can still unload at the best disposal site and
reach its end location within its shift and maximum duration. An optional client is a
candidate only when the drive to it costs less than its prize. When nothing fits but the truck
carries load, it unloads at the disposal site on its best way to the end and carries on; when
nothing is reachable it unloads (if needed) and drives to its end location. A vehicle that
starts with a load but serves no client still drives to unload (when there are disposal
sites). The driver break is taken on the first leg that reaches into its window, or earlier if
a service would otherwise run past its latest start, so a route is never on the road at the
latest start without one.

Whether a truck that has unloaded starts another trip decides how many disposal trips the day
takes, and each costs the drive to the disposal site and back (on the 6,000-bin Copenhagen day
about 17 km). Greedily, every truck starts one and the shift's end cuts most of those second
trips short (27 trips for 14 trucks on that day, their second loads 6,500-12,000 of about
15,500 litres). So :func:`nearest_neighbour_tours` builds the plan once per fraction of
:data:`NEXT_TRIP_FRACTIONS`: a truck starts another trip only while the time left in its shift
is at least that fraction of its first trip's duration (0: always); further trucks take the rest.
The cheapest plan wins (fixed and distance costs plus prizes of skipped clients). Without
disposal sites, or when no truck starts a second trip, one construction is all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from routing.vrp.model import ProblemData

IntArray = npt.NDArray[np.int64]
NEAR = 32  # waiting clients checked first for the next stop (the rest only if none fits)
# Time left in the shift, as a fraction of the first trip's duration, a truck needs to start
# another trip; one construction per fraction, the cheapest kept. On the 6,000-bin day (two
# cities) 0 gives 874,180 and 878,132 (27 trips each), 0.85 gives 792,018 (22 trips) and
# 850,170 (25), 0.95 gives 801,014 (22) and 842,609 (24); the best fraction differs by city.
NEXT_TRIP_FRACTIONS = (0.0, 0.8, 0.85, 0.9, 0.95)


@dataclass(frozen=True, slots=True)
class Tour:
    """One vehicle's constructed day, ready for :func:`routing.vrp.solution.make_route`."""

    vehicle: int  # vehicle index, vehicles numbered type by type
    vehicle_type: int
    locations: tuple[int, ...]  # clients and disposal sites in order, start and end implicit
    start_s: int
    break_start_s: int | None = None
    break_after: int | None = None  # visit index before the break; -1 = the leg from the start


class _Arrays:
    """Client attributes as arrays, indexed by client position in ``data.clients``."""

    def __init__(self, data: ProblemData) -> None:
        cs = data.clients
        self.loc = np.array([c.location for c in cs], dtype=np.int64)
        self.demand = np.array([c.demand for c in cs], dtype=np.int64).reshape(
            len(cs), data.num_dimensions
        )
        self.service = np.array([c.service_s for c in cs], dtype=np.int64)
        self.early = np.array([c.tw_early_s for c in cs], dtype=np.int64)
        self.late = np.array([c.tw_late_s for c in cs], dtype=np.int64)
        self.required = np.array([c.required for c in cs], dtype=bool)
        self.prize = np.array([c.prize for c in cs], dtype=np.int64)
        self.sites = np.array([s.location for s in data.disposal_sites], dtype=np.int64)
        self.unload = np.array([s.unload_s for s in data.disposal_sites], dtype=np.int64)


class _Closing:
    """Per end location: the cheapest way there from each location, via an unload or directly."""

    def __init__(self, data: ProblemData, a: _Arrays, home: int) -> None:
        dur = data.duration
        self.direct = dur[:, home].astype(np.int64)
        if len(a.sites):
            via = dur[:, a.sites] + a.unload[None, :] + dur[a.sites, home][None, :]
            self.site = a.sites[via.argmin(axis=1)]
            self.via = via.min(axis=1).astype(np.int64)
        else:
            self.site = np.full(data.num_locations, -1, dtype=np.int64)
            self.via = self.direct


class _Builder:
    """State of the route under construction."""

    def __init__(self, data: ProblemData, a: _Arrays, vehicle: int, vtype: int) -> None:
        self.data, self.a = data, a
        vt = data.vehicle_types[vtype]
        self.vehicle, self.vtype = vehicle, vtype
        self.cap = np.array(vt.capacity, dtype=np.int64)
        self.home = vt.end_location
        self.rate = vt.distance_cost
        self.start = vt.shift_start_s
        self.deadline = min(vt.shift_end_s, vt.shift_start_s + vt.max_duration_s)
        self.here = vt.start_location
        self.t = vt.shift_start_s  # ready to leave ``here``
        self.load = np.array(vt.initial_load, dtype=np.int64)
        self.locs: list[int] = []
        self.break_at: int | None = None
        self.break_after: int | None = None

    # -- feasibility of the next client, for many clients at once -------------------------
    def nearest(self, todo: npt.NDArray[np.bool_], closing: _Closing) -> int | None:
        """Position of the nearest client this route can serve next (lowest position on ties).

        The :data:`NEAR` nearest waiting clients (and any tied with the last of them) are
        checked first; only when none fits are the others, all further away, checked.
        """
        waiting = np.flatnonzero(todo)
        dist = self.data.distance[self.here, self.a.loc[waiting]]
        if waiting.size > 2 * NEAR:
            near = dist <= np.partition(dist, NEAR - 1)[NEAR - 1]
            for part in (near, ~near):
                found = self._feasible(waiting[part], dist[part], closing)
                if found.size:
                    return int(found[0])
            return None
        found = self._feasible(waiting, dist, closing)
        return int(found[0]) if found.size else None

    def _feasible(self, idx: IntArray, dist: IntArray, closing: _Closing) -> IntArray:
        """Those of the waiting clients ``idx`` (at ``dist``) this route can serve next,
        nearest first (ties in position order)."""
        a, data, brk = self.a, self.data, self.data.driver_break
        mask = (self.load[None, :] + a.demand[idx] <= self.cap[None, :]).all(axis=1)
        mask &= a.required[idx] | (dist * self.rate < a.prize[idx])
        idx = idx[mask]
        if not len(idx):
            return idx
        arr = self.t + data.duration[self.here, a.loc[idx]]
        end = np.maximum(arr, a.early[idx]) + a.service[idx]
        taken = np.full(len(idx), self.break_at is not None)
        if brk is not None and self.break_at is None:
            take = (arr >= brk.earliest_start_s) | (end > brk.latest_start_s)
            b = max(self.t, brk.earliest_start_s)
            ok_b = b <= brk.latest_start_s
            arr = np.where(take, np.maximum(arr, b) + brk.duration_s, arr)
            end = np.maximum(arr, a.early[idx]) + a.service[idx]
            taken = take
            keep = ~take | ok_b
            idx, arr, end, taken = idx[keep], arr[keep], end[keep], taken[keep]
        ok = np.maximum(arr, a.early[idx]) <= a.late[idx]
        loaded = (self.load[None, :] + a.demand[idx] > 0).any(axis=1)
        home = np.where(loaded, closing.via[a.loc[idx]], closing.direct[a.loc[idx]])
        ret = end + home
        if brk is not None:
            late_break = ~taken & (ret > brk.latest_start_s)
            with_break = np.maximum(end, brk.earliest_start_s) + brk.duration_s + home
            ret = np.where(late_break, with_break, ret)
        ok &= ret <= self.deadline
        idx, dist = idx[ok], data.distance[self.here, a.loc[idx[ok]]]
        return idx[np.argsort(dist, kind="stable")]

    # -- moves -----------------------------------------------------------------------------
    def _leg(self, to: int, early: int, service: int) -> None:
        """Drive to ``to``, taking the break on the way when due, and serve for ``service``."""
        brk = self.data.driver_break
        arr = self.t + int(self.data.duration[self.here, to])
        if brk is not None and self.break_at is None:
            end = max(arr, early) + service
            if arr >= brk.earliest_start_s or end > brk.latest_start_s:
                b = max(self.t, brk.earliest_start_s)
                self.break_at, self.break_after = b, len(self.locs) - 1
                arr = max(arr, b) + brk.duration_s
        self.t = max(arr, early) + service
        self.here = to
        self.locs.append(to)

    def serve(self, k: int) -> None:
        a = self.a
        self._leg(int(a.loc[k]), int(a.early[k]), int(a.service[k]))
        self.load += a.demand[k]

    def unload(self, site: int) -> None:
        s = int(np.flatnonzero(self.a.sites == site)[0])
        self._leg(site, 0, int(self.a.unload[s]))
        self.load[:] = 0

    def close(self, closing: _Closing) -> Tour:
        """Unload if carrying anything, go to the end; the break on the way if still due."""
        brk = self.data.driver_break
        if self.load.any() and len(self.a.sites):
            self.unload(int(closing.site[self.here]))
        back = self.t + int(self.data.duration[self.here, self.home])
        if brk is not None and self.break_at is None and back > brk.latest_start_s:
            self.break_at, self.break_after = max(self.t, brk.earliest_start_s), len(self.locs) - 1
        locs = tuple(self.locs)
        return Tour(self.vehicle, self.vtype, locs, self.start, self.break_at, self.break_after)


def nearest_neighbour_tours(data: ProblemData) -> list[Tour] | None:
    """Feasible tours serving every required client, or None when the heuristic cannot.

    Once the required clients are served, further vehicles are opened for optional ones only
    while a route's prizes outweigh its fixed and distance costs. Vehicles left that start with
    a load then drive to unload it. The cheapest of the constructions over
    :data:`NEXT_TRIP_FRACTIONS` (see the module's notes).
    """
    a = _Arrays(data)
    best = _construct(data, a, NEXT_TRIP_FRACTIONS[0])
    if best is None or not any(_reloads(t, a) for t in best):
        return best
    cost = _plan_cost(data, a, best)
    for fraction in NEXT_TRIP_FRACTIONS[1:]:
        tours = _construct(data, a, fraction)
        if tours is not None and (c := _plan_cost(data, a, tours)) < cost:
            best, cost = tours, c
    return best


def _reloads(tour: Tour, a: _Arrays) -> bool:
    """Whether ``tour`` serves a client after an unload (makes more than one trip)."""
    sites = np.isin(np.array(tour.locations, dtype=np.int64), a.sites)
    return bool(sites.any() and not sites[int(sites.argmax()) :].all())


def _plan_cost(data: ProblemData, a: _Arrays, tours: list[Tour]) -> int:
    """Fixed and distance costs of ``tours`` plus the prizes of the clients they skip."""
    served = np.isin(a.loc, [loc for t in tours for loc in t.locations])
    return sum(_cost(data, t) for t in tours) + int(a.prize[~served].sum())


def _construct(data: ProblemData, a: _Arrays, next_trip: float) -> list[Tour] | None:
    """The construction with ``next_trip`` as the fraction of NEXT_TRIP_FRACTIONS."""
    todo = np.ones(len(data.clients), dtype=bool)
    ends = {vt.end_location for vt in data.vehicle_types}
    closings = {end: _Closing(data, a, end) for end in ends}
    first = np.cumsum([0] + [vt.num_available for vt in data.vehicle_types])
    left = [vt.num_available for vt in data.vehicle_types]
    useless: set[int] = set()  # vehicle types that could not start on any remaining client
    tours: list[Tour] = []
    while todo.any():
        required = bool((todo & a.required).any())
        waiting = todo & a.required if required else todo
        vtype = _next_vehicle_type(data, a, waiting, left, useless)
        if vtype is None:
            if required:
                return None
            break
        vehicle = int(first[vtype] + data.vehicle_types[vtype].num_available - left[vtype])
        b = _Builder(data, a, vehicle, vtype)
        served = _fill(b, todo, closings[b.home], next_trip)
        if not served:
            useless.add(vtype)
            continue
        tour = b.close(closings[b.home])
        if not required and _cost(data, tour) >= int(a.prize[served].sum()):
            todo[served] = True  # an optional-only route that does not pay: stop here
            break
        left[vtype] -= 1
        tours.append(tour)
    return tours + _unload_tours(data, a, closings, [int(f) for f in first], left)


def _unload_tours(
    data: ProblemData, a: _Arrays, closings: dict[int, _Closing], first: list[int], left: list[int]
) -> list[Tour]:
    """A trip to unload for every unused vehicle that starts with a load (if it can unload)."""
    if not len(a.sites):
        return []
    out = []
    for t, vt in enumerate(data.vehicle_types):
        if any(vt.initial_load):
            for k in range(vt.num_available - left[t], vt.num_available):
                out.append(_Builder(data, a, first[t] + k, t).close(closings[vt.end_location]))
    return out


def _fill(
    b: _Builder, todo: npt.NDArray[np.bool_], closing: _Closing, next_trip: float
) -> list[int]:
    """Extend ``b`` nearest-neighbour style; the client positions served, in order.

    After its first unload the truck starts another trip only while the time left in its shift
    is at least ``next_trip`` times the first trip's duration.
    """
    served: list[int] = []
    first_trip_s: int | None = None
    while True:
        k = b.nearest(todo, closing)
        if k is not None:
            b.serve(k)
            todo[k] = False
            served.append(k)
        elif len(b.a.sites) and b.load.any():
            b.unload(int(closing.site[b.here]))
            if first_trip_s is None:
                first_trip_s = b.t - b.start
            if b.deadline - b.t < next_trip * first_trip_s:
                return served
        else:
            return served


def _cost(data: ProblemData, tour: Tour) -> int:
    vt = data.vehicle_types[tour.vehicle_type]
    stops = [vt.start_location, *tour.locations, vt.end_location]
    metres = int(data.distance[stops[:-1], stops[1:]].sum())
    return vt.fixed_cost + vt.distance_cost * metres


def _next_vehicle_type(
    data: ProblemData,
    a: _Arrays,
    waiting: npt.NDArray[np.bool_],
    left: list[int],
    useless: set[int],
) -> int | None:
    """The type to open next: start nearest a ``waiting`` client, then largest capacity."""
    locs = a.loc[waiting]
    best: tuple[int, int, int] | None = None
    for t, vt in enumerate(data.vehicle_types):
        if left[t] == 0 or t in useless:
            continue
        key = (int(data.distance[vt.start_location, locs].min()), -sum(vt.capacity), t)
        if best is None or key < best:
            best = key
    return None if best is None else best[2]
