"""Mid-day re-planning: the rest of the day from the trucks' current positions. Pure."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import numpy as np

from core.domain import Bin, Site
from routing.planning.day_problem import DayProblem
from routing.vrp.model import Model


@dataclass(frozen=True)
class TruckState:
    """A truck now: position, what it carries, and travel from there to each problem location.

    ``time_to_s`` / ``dist_to_m`` are indexed by the original problem's locations (the service
    computes them with one shortest-path search from the truck's snapped position).
    """

    vehicle_id: str
    lon: float
    lat: float
    street: str
    load_l: float
    load_kg: float
    time_to_s: np.ndarray
    dist_to_m: np.ndarray


def replan(
    problem: DayProblem,
    now: datetime,
    trucks: Sequence[TruckState],
    emptied: Collection[str],
) -> DayProblem:
    """The rest of the day: bins not yet emptied, for ``trucks`` leaving their positions at ``now``.

    Each truck becomes its own vehicle type whose "depot" is a virtual location at its position:
    leaving it costs the truck's travel rows, arriving at it costs the travel to the truck's home
    depot (matrices may be asymmetric), so routes start where the trucks are and end at home.
    The load on board is taken off the capacity for the whole route -- conservative after the
    first unload, since :mod:`routing.vrp.model` has no initial load; it is shown on the stops.
    Trucks not in ``trucks`` get no route. Bins in ``emptied`` are dropped; the rest keep their
    demand, required flag and prize.
    """
    old = problem.data
    n_old = old.num_locations
    now_s = round((now - problem.midnight).total_seconds())
    if not trucks:
        raise ValueError("replan needs at least one truck.")
    if problem.return_site:
        raise ValueError("replan from the day's original problem (emptied bins accumulate).")
    for t in trucks:
        if t.vehicle_id not in problem.vehicles:
            raise ValueError(f"unknown truck {t.vehicle_id}.")
        if t.time_to_s.shape != (n_old,) or t.dist_to_m.shape != (n_old,):
            raise ValueError(f"truck {t.vehicle_id}: travel rows must cover the {n_old} locations.")
    gone = set(emptied)
    clients = [c for c in old.clients if problem.location_bin[c.location].bin_id not in gone]
    m = Model()
    keep: list[int] = []  # old location per new location, -1 - k for truck k's start
    loc_site: dict[int, Site] = {}
    loc_street: dict[int, str] = {}
    returns: dict[int, tuple[Site, str]] = {}
    loads: dict[int, tuple[float, float]] = {}
    for k, t in enumerate(trucks):
        loc = m.add_depot(name=t.vehicle_id)
        keep.append(-1 - k)
        home = problem.vehicles[t.vehicle_id].depot_id
        home_loc = problem.depot_location[home]
        loc_site[loc] = Site(f"{t.vehicle_id}:start", "current position", t.lon, t.lat)
        loc_street[loc] = t.street
        returns[loc] = (problem.location_site[home_loc], problem.location_street[home_loc])
        loads[loc] = (t.load_l, t.load_kg)
    for s in old.disposal_sites:
        loc = m.add_disposal_site(unload_s=s.unload_s, name=s.name)
        keep.append(s.location)
        loc_site[loc] = problem.location_site[s.location]
    loc_bin: dict[int, Bin] = {}
    for c in clients:
        loc = m.add_client(
            c.demand, service_s=c.service_s, required=c.required, prize=c.prize, name=c.name
        )
        keep.append(c.location)
        loc_bin[loc] = problem.location_bin[c.location]
    for loc, old_loc in enumerate(keep):
        if old_loc >= 0:
            loc_street[loc] = problem.location_street[old_loc]
    ids: list[tuple[str, ...]] = []
    for k, t in enumerate(trucks):
        v = problem.vehicles[t.vehicle_id]
        cap = (max(0, int(v.capacity_l - t.load_l)), max(0, int(v.capacity_kg - t.load_kg)))
        m.add_vehicle_type(
            1,
            cap,
            k,
            shift_start_s=max(now_s, round(v.shift_start_h * 3600)),
            shift_end_s=round(v.shift_end_h * 3600),
            fixed_cost=problem.config.vehicle_fixed_m,
            co2_g_per_km=v.co2_g_per_km,
            name=t.vehicle_id,
        )
        ids.append((t.vehicle_id,))
    if old.driver_break is not None:
        b = old.driver_break
        m.set_driver_break(b.duration_s, b.earliest_start_s, b.latest_start_s)
    n = len(keep)
    dur = np.zeros((n, n), dtype=np.int64)
    dist = np.zeros((n, n), dtype=np.int64)
    real = np.array([loc for loc, o in enumerate(keep) if o >= 0], dtype=np.int64)
    olds = np.array([keep[i] for i in real], dtype=np.int64)
    dur[np.ix_(real, real)] = old.duration[np.ix_(olds, olds)]
    dist[np.ix_(real, real)] = old.distance[np.ix_(olds, olds)]
    for k, t in enumerate(trucks):
        home_loc = problem.depot_location[problem.vehicles[t.vehicle_id].depot_id]
        dur[k, real] = np.rint(t.time_to_s[olds]).astype(np.int64)
        dist[k, real] = np.rint(t.dist_to_m[olds]).astype(np.int64)
        dur[real, k] = old.duration[olds, home_loc]
        dist[real, k] = old.distance[olds, home_loc]
    m.set_matrices(dur, dist)
    inputs = {**problem.inputs, "replanned_at": now.isoformat(), "emptied": sorted(gone)}
    return replace(
        problem,
        data=m.data(),
        vehicle_ids=tuple(ids),
        location_bin=loc_bin,
        location_site=loc_site,
        location_street=loc_street,
        location_point=tuple(problem.location_point[o] if o >= 0 else -1 for o in keep),
        inputs=inputs,
        return_site=returns,
        initial_load=loads,
        depot_location={},
    )
