"""Independent plan checker: recomputes a plan from :class:`ProblemData` and lists what is wrong.

Shares no scheduling logic with the engines or :mod:`routing.vrp.solution` (it reads only each
route's vehicle type, visit order, departure time and break placement), so an engine bug cannot
hide itself. Rules checked, one :class:`ViolationKind` each:

* every required client visited exactly once, optional clients at most once, no visit to an
  unknown location or to a depot or plain location in the middle of a route;
* per capacity dimension, the load on board (the vehicle's initial load, then what it collected
  since the last unload) never exceeds the capacity;
* departure from the start location not before the shift start, arrival at the end location not
  after the shift end, start-to-end time within the vehicle's maximum duration (travel, waits,
  service, unloads and the break count);
* service starts within each client's time window (waiting for it to open is allowed);
* when the model has disposal sites, a truck carrying load unloads before it ends its route,
  and every vehicle starting with a load gets a route (to unload it);
* no more routes of a vehicle type than vehicles available;
* the driver break, when configured, is taken inside its window without overlapping a
  service by every driver still on the road at its latest start;
* the reported distance and objective match the recomputed ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from routing.vrp.model import LocationKind, ProblemData
from routing.vrp.solution import Route, Solution


class ViolationKind(StrEnum):
    """The rule a plan breaks."""

    UNKNOWN_LOCATION = "unknown_location"
    MISSING_CLIENT = "missing_client"
    DUPLICATE_VISIT = "duplicate_visit"
    CAPACITY = "capacity"
    TIME_WINDOW = "time_window"
    SHIFT = "shift"
    MAX_DURATION = "max_duration"
    NO_FINAL_UNLOAD = "no_final_unload"
    VEHICLE_COUNT = "vehicle_count"
    BREAK = "break"
    TOTALS = "totals"


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule, with a human-readable message naming the route and stop."""

    kind: ViolationKind
    message: str


def check(data: ProblemData, solution: Solution) -> list[Violation]:
    """Every violation of ``data``'s rules in ``solution``; empty when the plan is feasible."""
    out: list[Violation] = []
    seen: dict[int, int] = {}
    used = [0] * len(data.vehicle_types)
    total_cost = 0
    for r_idx, route in enumerate(solution.routes):
        if not 0 <= route.vehicle_type < len(data.vehicle_types):
            out.append(
                _v("VEHICLE_COUNT", f"route {r_idx}: unknown vehicle type {route.vehicle_type}")
            )
            continue
        if not route.visits:
            continue
        used[route.vehicle_type] += 1
        locs = [v.location for v in route.visits]
        ok_locs = True
        for loc in locs:
            if not 0 <= loc < data.num_locations or data.kinds[loc] in _NOT_STOPS:
                out.append(_v("UNKNOWN_LOCATION", f"route {r_idx}: location {loc} is not a stop"))
                ok_locs = False
            elif data.kinds[loc] == LocationKind.CLIENT:
                seen[loc] = seen.get(loc, 0) + 1
        if not ok_locs:
            continue
        distance = _check_route(data, r_idx, route, locs, out)
        vt = data.vehicle_types[route.vehicle_type]
        total_cost += vt.fixed_cost + vt.distance_cost * distance
        if distance != route.distance_m:
            out.append(
                _v("TOTALS", f"route {r_idx}: reported {route.distance_m} m, recomputed {distance}")
            )
    for t, n in enumerate(used):
        vt = data.vehicle_types[t]
        if n > vt.num_available:
            out.append(
                _v("VEHICLE_COUNT", f"vehicle type {t}: {n} routes, {vt.num_available} vehicles")
            )
        elif n < vt.num_available and data.disposal_sites and any(vt.initial_load):
            idle = vt.num_available - n
            msg = f"vehicle type {t}: {idle} vehicle(s) carrying {vt.initial_load} get no route"
            out.append(_v("NO_FINAL_UNLOAD", msg))
    for c in data.clients:
        n = seen.get(c.location, 0)
        if n > 1:
            out.append(_v("DUPLICATE_VISIT", f"client at location {c.location} visited {n} times"))
        elif n == 0 and c.required:
            out.append(
                _v("MISSING_CLIENT", f"required client at location {c.location} not visited")
            )
        elif n == 0:
            total_cost += c.prize
    if not out and total_cost != solution.objective:
        msg = f"reported objective {solution.objective}, recomputed {total_cost}"
        out.append(_v("TOTALS", msg))
    return out


_NOT_STOPS = (LocationKind.DEPOT, LocationKind.PLAIN)


def is_feasible(data: ProblemData, solution: Solution) -> bool:
    """Whether ``solution`` breaks no rule of ``data``."""
    return not check(data, solution)


def _v(kind: str, message: str) -> Violation:
    return Violation(ViolationKind[kind], message)


def _check_route(
    data: ProblemData, r: int, route: Route, locs: list[int], out: list[Violation]
) -> int:
    """Walk one route, appending violations; returns its recomputed distance."""
    vt = data.vehicle_types[route.vehicle_type]
    clients = {c.location: c for c in data.clients}
    unload = {s.location: s.unload_s for s in data.disposal_sites}
    brk = data.driver_break
    b_start: int | None = route.break_start_s
    b_after: int | None = route.break_after
    if b_start is not None and brk is None:
        out.append(_v("BREAK", f"route {r}: break given but none is configured"))
        b_start = None
    if b_start is not None and brk is not None:
        if not brk.earliest_start_s <= b_start <= brk.latest_start_s:
            window = f"[{brk.earliest_start_s}, {brk.latest_start_s}]"
            out.append(_v("BREAK", f"route {r}: break at {b_start} outside {window}"))
        if b_after is None or not -1 <= b_after < len(locs):
            out.append(_v("BREAK", f"route {r}: break after unknown stop {b_after}"))
            b_start = None

    clock: int = route.start_s
    if clock < vt.shift_start_s:
        out.append(
            _v("SHIFT", f"route {r}: leaves at {clock} before shift start {vt.shift_start_s}")
        )
    on_board = list(vt.initial_load)
    for dim, (q, cap) in enumerate(zip(on_board, vt.capacity, strict=True)):
        if q > cap:
            out.append(_v("CAPACITY", f"route {r}: starts with load {q} > {cap} (dim {dim})"))
    here = vt.start_location
    metres = 0
    for pos, loc in enumerate([*locs, vt.end_location]):
        if b_start is not None and b_after is not None and pos == b_after + 1:
            if b_start < clock:
                out.append(
                    _v("BREAK", f"route {r}: break at {b_start} overlaps work until {clock}")
                )
            clock = max(clock + int(data.duration[here, loc]), b_start)
            clock += brk.duration_s  # type: ignore[union-attr]
        else:
            clock += int(data.duration[here, loc])
        metres += int(data.distance[here, loc])
        here = loc
        if pos == len(locs):
            break
        if loc in clients:
            c = clients[loc]
            clock = max(clock, c.tw_early_s)
            if clock > c.tw_late_s:
                out.append(
                    _v("TIME_WINDOW", f"route {r}: client {loc} served at {clock} > {c.tw_late_s}")
                )
            clock += c.service_s
            on_board = [q + d for q, d in zip(on_board, c.demand, strict=True)]
            for dim, (q, cap) in enumerate(zip(on_board, vt.capacity, strict=True)):
                if q > cap:
                    out.append(
                        _v("CAPACITY", f"route {r}: load {q} > {cap} (dim {dim}) after stop {pos}")
                    )
        else:
            clock += unload[loc]
            on_board = [0] * len(on_board)
    if data.disposal_sites and any(on_board):
        out.append(_v("NO_FINAL_UNLOAD", f"route {r}: ends its route carrying {on_board}"))
    if clock > vt.shift_end_s:
        out.append(_v("SHIFT", f"route {r}: returns at {clock} after shift end {vt.shift_end_s}"))
    if clock - route.start_s > vt.max_duration_s:
        span = clock - route.start_s
        out.append(_v("MAX_DURATION", f"route {r}: lasts {span} s > {vt.max_duration_s} s"))
    if brk is not None and b_start is None and clock > brk.latest_start_s:
        out.append(_v("BREAK", f"route {r}: on the road at {brk.latest_start_s} without a break"))
    return metres
