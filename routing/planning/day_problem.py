"""The day's collection plan: from typed inputs to a routing problem, and from a solution to a plan.

Pure: no database, files or solver library. :func:`build_day_problem` turns bins, a selection,
waste trucks, depots, disposal sites and a travel matrix into
:class:`~routing.vrp.model.ProblemData`
(with the bookkeeping needed to read routes back); :func:`day_plan` turns an engine's
:class:`~routing.vrp.solution.Solution` into a :class:`DayPlan`: per truck an ordered stop list with
street names, ETAs and load after each stop, plus totals (km, drive and service time, bins
emptied, expected overflows avoided and remaining, CO2).

Conventions
-----------
* Matrix points are ordered depots, disposal sites, then *every* inventory bin
  (:func:`matrix_points`), so one cached matrix serves every day; the problem uses a sub-matrix.
* The clock is integer seconds since local midnight of the plan date (``tz``).
* Loads have two dimensions, (litres, kg). Bins report volume only, so kg is estimated with
  ``density_kg_per_l`` -- 0.07 kg/l by default, loose street litter (mostly packaging and paper);
  household residual waste would be ~0.1-0.15 kg/l. Truck ``capacity_l`` is compacted-equivalent
  litres of bin contents, as in the inventory.
* Costs: one unit per metre driven, ``vehicle_fixed_m`` per truck used, and skipping an optional
  bin costs its selection prize (predicted litres) x ``metres_per_litre``.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import numpy as np

from core.domain import Bin, Site, Vehicle, VehicleKind
from core.plan import DayPlan, PlanTotals, Stop, StopKind, VehicleRoute
from forecasting.forecast import FillForecast
from routing.network.matrix import TravelMatrix
from routing.planning.day_builder import DayBuilder
from routing.planning.day_types import DayConfig, DayProblem, local_midnight
from routing.planning.selection import Selection
from routing.vrp.model import LocationKind
from routing.vrp.solution import Route, Solution

__all__ = [  # DayConfig, DayProblem and local_midnight are re-exported from day_types
    "DayConfig",
    "DayProblem",
    "bin_load",
    "build_day_problem",
    "day_plan",
    "local_midnight",
    "matrix_points",
    "overflow_risk",
    "plan_totals",
    "vehicle_route",
    "waste_trucks",
]

# --- building ---------------------------------------------------------------------------------


def matrix_points(
    bins: Sequence[Bin], depots: Sequence[Site], disposal_sites: Sequence[Site]
) -> tuple[np.ndarray, np.ndarray]:
    """Lon and lat of the matrix points: depots, disposal sites, then every bin, in order."""
    places: list[Site | Bin] = [*depots, *disposal_sites, *bins]
    return (
        np.array([p.lon for p in places], dtype=np.float64),
        np.array([p.lat for p in places], dtype=np.float64),
    )


def waste_trucks(vehicles: Sequence[Vehicle]) -> list[Vehicle]:
    """The vehicles that collect bins: waste trucks with a positive volume capacity."""
    return [v for v in vehicles if v.kind is VehicleKind.WASTE_TRUCK and v.capacity_l > 0]


MAX_PRIZE_M = 10_000_000  # a prize worth 10,000 km of driving: take the bin whatever it costs


def _prize(litres: float, metres_per_litre: float) -> int:
    """An optional bin's prize in metres: at least 1, at most :data:`MAX_PRIZE_M` (the engines
    take 64-bit integers; a runaway forecast must not overflow them)."""
    value = litres * metres_per_litre
    if not math.isfinite(value) or value >= MAX_PRIZE_M:
        return MAX_PRIZE_M if value == value else 1  # NaN: worth nothing
    return max(1, round(value))


def bin_load(litres: float, density_kg_per_l: float) -> tuple[int, int]:
    """Integer (litres, kg) demand of ``litres`` of bin contents, rounded up."""
    return math.ceil(litres - 1e-9), math.ceil(litres * density_kg_per_l - 1e-9)


def build_day_problem(
    plan_date: date,
    bins: Sequence[Bin],
    selection: Selection,
    vehicles: Sequence[Vehicle],
    depots: Sequence[Site],
    disposal_sites: Sequence[Site],
    matrix: TravelMatrix,
    streets: Sequence[str] | None = None,
    config: DayConfig | None = None,
    inputs: Mapping[str, Any] | None = None,
) -> DayProblem:
    """The day's routing problem over the selected bins, for the waste trucks in ``vehicles``.

    ``matrix`` is over :func:`matrix_points` (``bins`` being the whole inventory); ``streets``
    gives a street name per matrix point (None: each bin's registered street).
    Trucks with equal depot, capacities, shift and CO2 rate share a vehicle type (built by
    :class:`~routing.planning.day_builder.DayBuilder`, as re-plans are). ``config`` is
    required: it carries the city's time zone (there is no default zone).
    """
    if config is None:
        raise ValueError("config is required: DayConfig(tz=<the city profile's time zone>).")
    cfg = config
    n_pts = len(depots) + len(disposal_sites) + len(bins)
    if matrix.size != n_pts:
        raise ValueError(f"matrix has {matrix.size} points, expected {n_pts} (see matrix_points).")
    if streets is not None and len(streets) != n_pts:
        raise ValueError("streets must give one name per matrix point.")
    if not disposal_sites:
        raise ValueError("at least one disposal site is needed.")
    trucks = waste_trucks(vehicles)
    if not trucks:
        raise ValueError("no waste trucks with a volume capacity among the vehicles.")
    depot_index = {d.site_id: i for i, d in enumerate(depots)}
    missing = sorted({v.depot_id for v in trucks} - depot_index.keys())
    if missing:
        raise ValueError(f"trucks belong to unknown depots: {', '.join(missing)}")
    bin_point = {b.bin_id: len(depots) + len(disposal_sites) + i for i, b in enumerate(bins)}
    by_id = {b.bin_id: b for b in bins}
    names = list(streets) if streets is not None else [""] * n_pts

    builder = DayBuilder(cfg)
    used_depots = {v.depot_id for v in trucks}
    for d in depots:
        if d.site_id in used_depots:
            p = depot_index[d.site_id]
            builder.add_depot(d, names[p] or d.name, p)
    for k, s in enumerate(disposal_sites):
        p = len(depots) + k
        builder.add_disposal_site(s, names[p] or s.name, p)
    for bin_id in selection.visited_candidates:
        if bin_id not in by_id:
            raise ValueError(f"selected bin {bin_id} is not in the inventory.")
        b = by_id[bin_id]
        required = bin_id not in selection.optional
        prize = 0 if required else _prize(selection.optional[bin_id], cfg.metres_per_litre)
        p = bin_point[bin_id]
        demand = bin_load(selection.demand_l[bin_id], cfg.density_kg_per_l)
        builder.add_bin(
            b, demand, required=required, prize=prize, street=names[p] or b.street, source=p
        )
    builder.add_trucks(trucks)
    return builder.build(plan_date, matrix.time_s, matrix.dist_m, inputs)


# --- reading a solution back ------------------------------------------------------------------


def overflow_risk(
    bins: Sequence[Bin], forecasts: Mapping[str, FillForecast], next_opportunity: datetime
) -> set[str]:
    """Bins expected to overflow before ``next_opportunity`` unless emptied.

    Expected = already at or over the threshold, or the central forecast reaches it before
    ``next_opportunity``. Bins without a forecast are not counted.
    """
    out: set[str] = set()
    for b in bins:
        f = forecasts.get(b.bin_id)
        if f is None or f.level_now is None:
            continue
        if f.level_now >= b.threshold or (f.full_at is not None and f.full_at < next_opportunity):
            out.add(b.bin_id)
    return out


def _vehicle_of_routes(problem: DayProblem, routes: Sequence[Route]) -> list[str]:
    """Truck id per route: routes of a type take that type's trucks in id order."""
    taken = [0] * len(problem.vehicle_ids)
    out = []
    for r in routes:
        ids = problem.vehicle_ids[r.vehicle_type]
        if taken[r.vehicle_type] >= len(ids):
            raise ValueError(f"more routes than trucks of vehicle type {r.vehicle_type}.")
        out.append(ids[taken[r.vehicle_type]])
        taken[r.vehicle_type] += 1
    return out


def vehicle_route(problem: DayProblem, route: Route, vehicle_id: str) -> VehicleRoute:
    """One route as a truck's ordered stop list (start, bins and unloads, end).

    The start is the truck's depot or, when re-planned, its position then (with its load on
    board); the end is its home depot.
    """
    data = problem.data
    vt = data.vehicle_types[route.vehicle_type]
    vehicle = problem.vehicles[vehicle_id]
    first, last_loc = vt.start_location, vt.end_location
    at = problem.time_at
    street = problem.location_street

    def site_stop(
        seq: int, loc: int, kind: StopKind, eta: int, departs: int, load: tuple[float, ...]
    ) -> Stop:
        s = problem.location_site[loc]
        return Stop(
            seq,
            kind,
            None,
            s.site_id,
            street[loc],
            s.lon,
            s.lat,
            at(eta),
            at(departs),
            float(load[0]),
            float(load[1]),
        )

    stops = [site_stop(0, first, StopKind.DEPOT, route.start_s, route.start_s, vt.initial_load)]
    drive = 0
    service = 0
    prev = first
    for seq, v in enumerate(route.visits, start=1):
        drive += int(data.duration[prev, v.location])
        service += v.end_s - v.start_s
        prev = v.location
        if v.kind == LocationKind.CLIENT:
            b = problem.location_bin[v.location]
            stops.append(
                Stop(
                    seq,
                    StopKind.BIN,
                    b.bin_id,
                    None,
                    street[v.location],
                    b.lon,
                    b.lat,
                    at(v.start_s),
                    at(v.end_s),
                    float(v.load[0]),
                    float(v.load[1]),
                )
            )
        else:
            stops.append(site_stop(seq, v.location, StopKind.DISPOSAL, v.start_s, v.end_s, v.load))
    drive += int(data.duration[prev, last_loc])
    last = stops[-1].load_after_l, stops[-1].load_after_kg
    stops.append(site_stop(len(stops), last_loc, StopKind.DEPOT, route.end_s, route.end_s, last))
    brk = None if route.break_start_s is None else at(route.break_start_s)
    return VehicleRoute(
        vehicle_id=vehicle_id,
        depot_id=problem.location_site[vt.depot].site_id,
        stops=tuple(stops),
        distance_m=float(route.distance_m),
        drive_s=float(drive),
        service_s=float(service),
        co2_kg=route.distance_m / 1000.0 * vehicle.co2_g_per_km / 1000.0,
        break_start=brk,
    )


def plan_totals(routes: Sequence[VehicleRoute], at_risk: Collection[str]) -> PlanTotals:
    """Totals over ``routes``; ``at_risk`` are the bins expected to overflow if not emptied."""
    visited = {bid for r in routes for bid in r.bin_ids}
    risk = set(at_risk)
    return PlanTotals(
        km=sum(r.km for r in routes),
        drive_s=sum(r.drive_s for r in routes),
        service_s=sum(r.service_s for r in routes),
        bins_emptied=len(visited),
        overflows_avoided=len(risk & visited),
        overflows_remaining=len(risk - visited),
        co2_kg=sum(r.co2_kg for r in routes),
        vehicles_used=sum(1 for r in routes if r.bin_ids),
        disposal_trips=sum(r.disposal_trips for r in routes),
    )


def day_plan(
    problem: DayProblem,
    solution: Solution,
    at_risk: Collection[str],
    violations: Sequence[str] = (),
    time_limit_s: float = 0.0,
) -> DayPlan:
    """The :class:`DayPlan` of ``solution``; ``rejected`` when ``violations`` is non-empty."""
    routes = [r for r in solution.routes if r.visits]
    ids = _vehicle_of_routes(problem, routes)
    vroutes = tuple(
        sorted(
            (vehicle_route(problem, r, v) for r, v in zip(routes, ids, strict=True)),
            key=lambda r: r.vehicle_id,
        )
    )
    return DayPlan(
        plan_date=problem.plan_date,
        engine=solution.engine,
        objective=solution.objective,
        routes=vroutes,
        totals=plan_totals(vroutes, at_risk),
        inputs=problem.inputs,
        status="rejected" if violations else "accepted",
        violations=tuple(violations),
        time_limit_s=time_limit_s,
    )
