"""Adapter orchestration: from the sensor data in PostgreSQL to a stored, checked day plan.

Steps: load the inventory and recent fill readings, build (or take) the road network, get the
travel matrix from the cache under ``state_dir/matrix-cache``, forecast, select bins (planner
overrides included), build the problem (:mod:`routing.planning.day_problem`),
solve with the portfolio,
check with :func:`routing.vrp.checker.check`, add the road geometry of each route
(:mod:`routing.network.geometry`), save. The forecast (every bin's, predicted-full times
included) is stored as a forecast run before solving and linked to the plan once it is stored
(:mod:`core.db.forecasts`).

Checker policy: a plan that fails the checker is **stored** with status ``rejected`` and its
violations (so the failure is auditable and reproducible from ``inputs``), is never served by
:func:`core.db.plans.latest_plan`, cannot have stops reported, and :func:`plan_day` raises
:class:`PlanRejected` carrying its plan id.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg

from core.db.forecasts import link_forecast_run, save_forecast_run
from core.db.inventory import load_bins, load_sites, load_vehicles
from core.db.plans import save_plan
from core.db.readings import load_readings
from core.domain import Bin, Site, Vehicle
from core.metrics import observe_plan
from core.plan import DayPlan
from forecasting.forecast import ForecastParams, forecast_arrays
from routing.network.geometry import with_geometry
from routing.network.graph import RoadNetwork, build_network
from routing.network.matrix_cache import cached_travel_matrix
from routing.network.osm import load_osm
from routing.planning.day_problem import (
    DayConfig,
    DayProblem,
    build_day_problem,
    day_plan,
    local_midnight,
    matrix_points,
    overflow_risk,
    waste_trucks,
)
from routing.planning.selection import Selection, SelectionPolicy, select_bins
from routing.vrp.checker import check
from routing.vrp.portfolio import solve
from routing.vrp.solution import Solution

log = logging.getLogger(__name__)

Step = Callable[[str], None]  # told the name of each step as it starts


class PlanRejected(RuntimeError):
    """The best plan failed the independent checker; it was stored as ``rejected``."""

    def __init__(self, plan_id: int, plan: DayPlan) -> None:
        shown = "; ".join(plan.violations[:3])
        super().__init__(f"plan {plan_id} rejected by the checker: {shown}")
        self.plan_id = plan_id
        self.plan = plan


@dataclass(frozen=True, slots=True)
class PlanRequest:
    """What to plan and how; ``config`` (keyword) carries the city's time zone."""

    plan_date: date
    time_limit_s: float = 60.0
    engine: str = "portfolio"
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    history_days: float = 7.0  # fill readings used for the forecast
    seed: int = 0
    policy: SelectionPolicy = SelectionPolicy()
    config: DayConfig = field(kw_only=True)

    def __post_init__(self) -> None:
        if self.time_limit_s <= 0:
            raise ValueError("time_limit_s must be positive.")
        if self.history_days <= 0:
            raise ValueError("history_days must be positive.")


@dataclass(frozen=True, slots=True)
class Inventory:
    bins: list[Bin]
    depots: list[Site]
    disposal_sites: list[Site]
    vehicles: list[Vehicle]


def load_network(osm_files: Sequence[Path | str]) -> RoadNetwork:
    """The city's drive network from its OSM extracts (the profile's ``osm_files``)."""
    return build_network(load_osm(osm_files))


async def load_inventory(conn: asyncpg.Connection) -> Inventory:
    return Inventory(
        await load_bins(conn),
        await load_sites(conn, "depot"),
        await load_sites(conn, "disposal"),
        await load_vehicles(conn),
    )


async def plan_day(
    dsn: str,
    request: PlanRequest,
    net: RoadNetwork,
    cache_dir: Path | str,
    step: Step | None = None,
    on_solution: Callable[[str, Solution], None] | None = None,
) -> DayPlan:
    """Plan ``request.plan_date`` from the database at ``dsn`` and store it.

    Returns the stored :class:`DayPlan` (``plan_id`` set); raises :class:`PlanRejected` when
    the checker refused it (after storing it as rejected).
    """
    say = step or (lambda _: None)
    cfg = request.config
    service_at = local_midnight(request.plan_date, cfg.tz)
    started, outcome = time.monotonic(), "failed"  # cityops_plan_duration_seconds
    conn = await asyncpg.connect(dsn)
    try:
        say("loading inventory and readings")
        inv = await load_inventory(conn)
        if not inv.bins:
            raise ValueError("no bins registered in the database.")
        trucks = waste_trucks(inv.vehicles)
        if trucks:
            service_at += timedelta(hours=min(v.shift_start_h for v in trucks))
        readings = await load_readings(
            conn, service_at - timedelta(days=request.history_days), service_at
        )
        log.info("%d bins, %d trucks, %d readings", len(inv.bins), len(trucks), len(readings))

        say("travel matrix")
        t0 = time.monotonic()
        lon, lat = matrix_points(inv.bins, inv.depots, inv.disposal_sites)
        matrix = cached_travel_matrix(cache_dir, net, lon, lat)
        log.info("matrix %d points in %.1f s", matrix.size, time.monotonic() - t0)
        streets = [net.street_name(int(n)) for n in matrix.nodes]

        say("forecast and selection")
        fparams = ForecastParams(cfg.tz)
        forecasts = forecast_arrays(
            inv.bins, readings.sensor_ids, readings.utc_seconds, readings.levels, fparams
        )
        as_of = readings_as_of(readings.utc_seconds)
        run_id = await save_forecast_run(
            conn,
            forecasts,
            request.plan_date,
            None if as_of is None else datetime.fromisoformat(as_of),
            asdict(fparams),
        )
        next_opportunity = service_at + timedelta(days=1)
        selection = select_bins(
            inv.bins,
            forecasts,
            service_at,
            next_opportunity,
            request.policy,
            request.include,
            request.exclude,
        )
        at_risk = overflow_risk(inv.bins, forecasts, next_opportunity)
        inputs = _inputs(
            request,
            net,
            inv,
            selection,
            trucks,
            service_at,
            next_opportunity,
            as_of,
        )
        problem = build_day_problem(
            request.plan_date,
            inv.bins,
            selection,
            inv.vehicles,
            inv.depots,
            inv.disposal_sites,
            matrix,
            streets,
            cfg,
            inputs,
        )

        plan = solve_checked(
            problem, request.engine, request.time_limit_s, request.seed, at_risk, say, on_solution
        )
        try:
            stored = await store_checked(conn, with_geometry(plan, net), say)
        except PlanRejected as e:
            outcome = "rejected"
            await link_forecast_run(conn, run_id, e.plan_id)
            raise
        assert stored.plan_id is not None
        await link_forecast_run(conn, run_id, stored.plan_id)
        outcome = "accepted"
        return stored
    finally:
        await conn.close()
        observe_plan(time.monotonic() - started, outcome)


def solve_checked(
    problem: DayProblem,
    engine: str,
    time_limit_s: float,
    seed: int,
    at_risk: Collection[str],
    say: Step,
    on_solution: Callable[[str, Solution], None] | None = None,
) -> DayPlan:
    """Solve ``problem`` and run the independent checker on the result: an accepted plan, or a
    rejected one carrying the checker's violations."""
    say(f"solving ({engine}, {time_limit_s:g} s)")
    solution = solve(
        problem.data, engine, time_limit_s=time_limit_s, seed=seed, progress=on_solution
    )
    say("checking")
    violations = [f"{v.kind.value}: {v.message}" for v in check(problem.data, solution)]
    return day_plan(problem, solution, at_risk, violations, time_limit_s)


async def store_checked(conn: asyncpg.Connection, plan: DayPlan, say: Step) -> DayPlan:
    """Store ``plan``; an accepted plan comes back with its id, a rejected one (stored too, for
    the record) raises :class:`PlanRejected`."""
    say("saving")
    plan_id = await save_plan(conn, plan)
    stored = replace(plan, plan_id=plan_id)
    if plan.violations:
        raise PlanRejected(plan_id, stored)
    return stored


def readings_as_of(utc_seconds: Collection[float]) -> str | None:
    """ISO time of the newest reading used (the forecast's ``as_of``), None without readings."""
    if len(utc_seconds) == 0:
        return None
    return datetime.fromtimestamp(float(max(utc_seconds)), UTC).isoformat()


def _inputs(
    request: PlanRequest,
    net: RoadNetwork,
    inv: Inventory,
    selection: Selection,
    trucks: list[Vehicle],
    service_at: datetime,
    next_opportunity: datetime,
    as_of: str | None,
) -> dict[str, object]:
    """What reproduces the plan, as JSON values (lists, not tuples: it round-trips the store)."""
    inputs = {
        "network_version": net.version,
        "engine": request.engine,
        "seed": request.seed,
        "time_limit_s": request.time_limit_s,
        "service_at": service_at.isoformat(),
        "next_opportunity": next_opportunity.isoformat(),
        "forecast_as_of": as_of,
        "history_days": request.history_days,
        "forced_in": list(request.include),
        "forced_out": list(request.exclude),
        "selection_policy": asdict(request.policy),
        "day_config": asdict(request.config),
        "vehicle_ids": [v.vehicle_id for v in trucks],
        "depot_ids": [d.site_id for d in inv.depots],
        "disposal_site_ids": [s.site_id for s in inv.disposal_sites],
        "bins": [
            {
                "bin_id": b,
                "required": b not in selection.optional,
                "demand_l": round(selection.demand_l[b], 2),
                "prize": round(selection.optional.get(b, 0.0), 2),
                "reason": selection.reasons[b].value,
            }
            for b in selection.visited_candidates
        ],
    }
    return dict(json.loads(json.dumps(inputs)))
