"""Bins at one spot are one stop: merge co-located clients before the search, expand after. Pure.

On a city day many bins stand at the same spot: a bus stop, a square's corner, a recycling
island. On the road network they are the same point (the travel matrix has zero distance and
time between them, both ways, and identical rows and columns). A search that treats them as
separate clients spends its moves shuffling bins that a truck empties in one stop anyway: on
the 6,000-bin Copenhagen day 4,484 selected bins stand at 2,444 distinct points.

:func:`merge_colocated` therefore builds a smaller problem with one client per group of
co-located bins with the same time window: demands, service times and prizes add up, and a
required bin makes the stop required (an optional bin beside it costs no drive, only its
service). A group never outgrows the smallest truck, and its time window closes early enough
that the last bin's service still starts in time. :func:`expand` maps the smaller problem's
routes back: each merged stop becomes its bins in a fixed order, one after the other, so
distance, times and loads are those the search saw. What merging gives up: two co-located
bins cannot go to different trucks or trips (at most a few hundred litres of a truck's
15,000), and an optional bin beside a required one is always emptied.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from routing.vrp.model import Client, LocationKind, ProblemData
from routing.vrp.restrict import restrict
from routing.vrp.solution import Route, make_route


@dataclass(frozen=True)
class Merged:
    """The smaller problem and the way back to the original's locations."""

    data: ProblemData
    full: tuple[int, ...]  # the smaller problem's location -> the original's location
    members: dict[int, tuple[int, ...]]  # a merged client's location -> its bins' locations


def merge_colocated(data: ProblemData) -> Merged | None:
    """The problem with co-located clients merged; None when no two clients merge."""
    groups = _groups(data)
    if all(len(g) == 1 for g in groups):
        return None
    by_loc = {c.location: c for c in data.clients}
    heads = {g[0]: g for g in groups}
    keep = [i for i, k in enumerate(data.kinds) if k != LocationKind.CLIENT or i in heads]
    new = {loc: i for i, loc in enumerate(keep)}
    clients = [_merged([by_loc[m] for m in g]) for g in heads.values()]  # in data.clients' order
    small = restrict(data, keep, clients, data.vehicle_types)
    members = {new[head]: tuple(g) for head, g in heads.items()}
    return Merged(small, tuple(int(i) for i in keep), members)


def expand(merged: Merged, data: ProblemData, routes: Sequence[Route]) -> list[Route]:
    """``routes`` of ``merged.data`` as routes of the original ``data``: each merged stop
    becomes its bins, one after the other, and a break keeps its leg."""
    out = []
    for r in routes:
        locations: list[int] = []
        last_of: list[int] = []  # per merged visit, the index of its last expanded visit
        for loc in r.locations:
            locations.extend(merged.members.get(loc, (merged.full[loc],)))
            last_of.append(len(locations) - 1)
        after = r.break_after
        if after is not None and after >= 0:
            after = last_of[after]
        out.append(make_route(data, r.vehicle_type, locations, r.start_s, r.break_start_s, after))
    return out


def _groups(data: ProblemData) -> list[list[int]]:
    """Client locations in groups of co-located bins that may merge (singletons included)."""
    cap = np.array([vt.capacity for vt in data.vehicle_types], dtype=np.int64).min(axis=0)
    loc = np.array([c.location for c in data.clients], dtype=np.int64)
    dist, dur = data.distance, data.duration
    kind = {c.location: (c.tw_early_s, c.tw_late_s) for c in data.clients}
    demand = {c.location: np.array(c.demand, dtype=np.int64) for c in data.clients}
    service_of = {c.location: c.service_s for c in data.clients}
    done: set[int] = set()
    groups = []
    for i in loc.tolist():
        if i in done:
            continue
        group, load, service = [i], demand[i].copy(), service_of[i]
        early, late = kind[i]
        done.add(i)
        for j in loc[(dist[i, loc] == 0) & (dur[i, loc] == 0)].tolist():
            if j in done or kind[j] != kind[i] or not _same_point(data, i, j):
                continue
            if (load + demand[j] > cap).any() or late - service < early:
                continue  # over the smallest truck, or j's service could not start in time
            group.append(j)
            load += demand[j]
            service += service_of[j]
            done.add(j)
        groups.append(group)
    return groups


def _same_point(data: ProblemData, i: int, j: int) -> bool:
    """Identical rows and columns in both matrices: every route costs the same via either."""
    return all(
        np.array_equal(m[i], m[j]) and np.array_equal(m[:, i], m[:, j])
        for m in (data.distance, data.duration)
    )


def _merged(bins: list[Client]) -> Client:
    """One client for ``bins`` (the first's location and name; all share one window)."""
    first = bins[0]
    service = sum(b.service_s for b in bins)
    return replace(
        first,
        demand=tuple(int(x) for x in np.sum([b.demand for b in bins], axis=0)),
        service_s=service,
        required=any(b.required for b in bins),
        prize=sum(b.prize for b in bins),
        tw_late_s=first.tw_late_s - (service - bins[-1].service_s),  # the last bin's start
    )
