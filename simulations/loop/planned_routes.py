"""A loop plan as the live system stores it: :class:`core.plan.VehicleRoute` per truck (pure).

Proof of service (:func:`fleet.adherence.plan_adherence`) reads the planned routes of a
:class:`core.plan.DayPlan`; the loop's :class:`~simulations.loop.planner.RoutePlan` holds only
each truck's stop ids (a fixed round's routes are driven again, rotated). This builds the
routes from them: depot, bins and disposal sites in order, then the depot; planned times from
the truck's shift start with the network's times (no traffic), the bins' service times and the
unload time; the road geometry of the fastest paths between consecutive stops' snapped nodes,
from each stop's own place (what a truck keeping to the plan drives, :mod:`simulations.loop.gps`).
Loads are not planned here and left at 0.
"""

from __future__ import annotations

import numpy as np

from core.domain import Vehicle
from core.plan import Line, Stop, StopKind, VehicleRoute
from simulations.loop.clock import Clock
from simulations.loop.gps import FloatArray, ShapeOf
from simulations.loop.planner import RoutePlan, TruckRoute
from simulations.loop.scenario import Scenario


def points(sc: Scenario, truck: Vehicle, route: TruckRoute) -> list[int]:
    """Matrix points of the route: its depot, its stops, its depot."""
    home = sc.site_point(truck.depot_id)
    index = sc.bin_index
    mid = [sc.bin_point(index[s]) if s in index else sc.site_point(s) for s in route.stops]
    return [home, *mid, home]


def _geometry(sc: Scenario, pts: list[int], shape: ShapeOf) -> Line:
    lon, lat = sc.points
    nodes = sc.matrix.nodes
    x: list[FloatArray] = [lon[pts[:1]]]
    y: list[FloatArray] = [lat[pts[:1]]]
    for i, j in zip(pts[:-1], pts[1:], strict=True):
        sx, sy, _ = shape(int(nodes[i]), int(nodes[j]))
        x += [sx, lon[[j]]]
        y += [sy, lat[[j]]]
    xy = np.column_stack([np.concatenate(x), np.concatenate(y)])
    keep = np.concatenate([[True], np.any(xy[1:] != xy[:-1], axis=1)])
    return tuple(map(tuple, xy[keep].tolist()))


def _stop(
    sc: Scenario, clock: Clock, seq: int, stop_id: str, p: int, eta_h: float, work_h: float
) -> Stop:
    """A stop at matrix point ``p`` (a bin's id or a site's id), arriving at ``eta_h``."""
    lon, lat = sc.points
    b = sc.bin_index.get(stop_id)
    if b is not None:
        kind, bin_id, site_id, street = StopKind.BIN, stop_id, None, sc.bins[b].street
    else:
        depot = p < len(sc.depots)
        kind = StopKind.DEPOT if depot else StopKind.DISPOSAL
        site = (*sc.depots, *sc.disposal_sites)[p]
        bin_id, site_id, street = None, stop_id, site.name
    return Stop(
        seq,
        kind,
        bin_id,
        site_id,
        street,
        float(lon[p]),
        float(lat[p]),
        clock.instant(eta_h),
        clock.instant(eta_h + work_h),
        0.0,
        0.0,
    )


def _route(
    sc: Scenario,
    clock: Clock,
    day: int,
    truck: Vehicle,
    route: TruckRoute,
    pts: list[int],
    unload_s: float,
    geometry: Line,
) -> VehicleRoute:
    ids = [truck.depot_id, *route.stops, truck.depot_id]
    t = clock.at(day, truck.shift_start_h) * 3600.0
    stops = [_stop(sc, clock, 0, ids[0], pts[0], t / 3600.0, 0.0)]
    drive = service = metres = 0.0
    for seq in range(1, len(pts)):
        prev, p = pts[seq - 1], pts[seq]
        drive += float(sc.matrix.time_s[prev, p])
        metres += float(sc.matrix.dist_m[prev, p])
        t += float(sc.matrix.time_s[prev, p])
        b = sc.bin_index.get(ids[seq])
        work = 0.0 if seq == len(pts) - 1 else sc.bins[b].service_s if b is not None else unload_s
        stops.append(_stop(sc, clock, seq, ids[seq], p, t / 3600.0, work / 3600.0))
        service += work
        t += work
    return VehicleRoute(
        vehicle_id=truck.vehicle_id,
        depot_id=truck.depot_id,
        stops=tuple(stops),
        distance_m=metres,
        drive_s=drive,
        service_s=service,
        co2_kg=metres / 1000.0 * truck.co2_g_per_km / 1000.0,
        geometry=geometry,
    )


def planned_routes(
    sc: Scenario, clock: Clock, day: int, plan: RoutePlan, unload_s: float, shape: ShapeOf
) -> tuple[VehicleRoute, ...]:
    """The routes of ``plan`` on ``day`` with stops, planned times and the road geometry of
    ``shape`` (trucks without stops left out)."""
    out = []
    for r in plan.routes:
        if r.stops:
            truck = next(t for t in sc.trucks if t.vehicle_id == r.vehicle_id)
            pts = points(sc, truck, r)
            out.append(_route(sc, clock, day, truck, r, pts, unload_s, _geometry(sc, pts, shape)))
    return tuple(out)
