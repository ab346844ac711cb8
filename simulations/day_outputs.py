"""Around each simulated day: its collection plan, the fleet report, the parking model."""

from __future__ import annotations

import asyncio
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import asyncpg
from rich.table import Table

from core.db.fleet import read_traces
from core.districts import OUTSIDE, Districts
from core.embedded import Endpoints
from core.plan import DayPlan as DayPlanResult
from core.settings import Settings
from core.tracking import Traces
from fleet.report import fleet_report
from parking.persistence import save_model
from parking.pipeline import train_for_serving
from parking.store import load_window
from routing.network.graph import RoadNetwork
from routing.planning.cli import print_plan
from routing.planning.day_problem import DayConfig
from routing.planning.plan_service import PlanRejected, PlanRequest, plan_day
from routing.vrp.solution import Solution
from simulations.city import City
from simulations.day_scenario import DayScenario, console


def fleet_summary(
    ep: Endpoints,
    settings: Settings,
    window: tuple[datetime, datetime],
    city: City,
    districts: Districts,
) -> None:
    """Fleet analytics of the GPS ingested in ``window`` (local times): pseudonymised,
    coarsened, the read logged; time on the road per district of the city profile."""
    t0 = time.monotonic()
    since, until = window

    async def read() -> Traces:
        conn = await asyncpg.connect(ep.database_url)
        try:
            return await read_traces(
                conn,
                since,
                until + timedelta(seconds=1),
                actor="city-day",
                purpose="daily fleet report",
            )
        finally:
            await conn.close()

    tr = asyncio.run(read())
    report = fleet_report(
        tr.vehicle_ids,
        tr.vehicle,
        tr.t_s,
        tr.lon,
        tr.lat,
        tr.speed_kmh,
        city.vehicles,
        settings.pseudonym_key.get_secret_value(),
        districts.assign,
    )
    t = Table(
        title=f"Fleet from GPS, {since:%Y-%m-%d %H:%M}-{until:%H:%M} local (vehicles pseudonymised)"
    )
    for col in ("kind", "vehicles", "km", "moving h", "stopped h", "trips", "CO2 kg"):
        t.add_column(col)
    for kind, f in sorted(report.totals_by_kind().items()):
        t.add_row(
            kind,
            f"{f['vehicles']:.0f}",
            f"{f['km']:,.0f}",
            f"{f['moving_h']:,.1f}",
            f"{f['stopped_h']:,.1f}",
            f"{f['trips']:.0f}",
            f"{f['co2_kg']:,.0f}",
        )
    console.print(t)
    areas = ", ".join(
        f"{'(no district)' if a == OUTSIDE else a} {h:,.0f} h"
        for a, h in sorted(report.hours_by_area.items(), key=lambda x: -x[1])
    )
    console.print(
        f"time on the road by district: {areas}; {report.dropped_outliers} GPS outliers"
        f" dropped ({time.monotonic() - t0:.1f} s)"
    )


def plan_routes(
    plan_date: date,
    scenario: DayScenario,
    time_limit_s: float,
    engine: str,
    net: RoadNetwork,
    ep: Endpoints,
    settings: Settings,
) -> DayPlanResult | None:
    """Forecast, select and route ``plan_date``'s collections from what was ingested before
    its first shift; None when the checker rejected the plan."""
    request = PlanRequest(
        plan_date,
        time_limit_s=time_limit_s,
        engine=engine,
        seed=scenario.seed,
        config=DayConfig(scenario.tz),
    )
    t0 = time.monotonic()

    def reported(engine: str, sol: Solution) -> None:
        state = "feasible" if sol.feasible else "infeasible"
        console.log(f"  {engine}: {sol.distance_m / 1000:.1f} km, {state}")

    try:
        result = asyncio.run(
            plan_day(
                ep.database_url,
                request,
                net,
                settings.state_dir / "matrix-cache",
                lambda step: console.log(f"planning: {step}"),
                reported,
            )
        )
    except PlanRejected as e:
        console.print(f"[red]plan {e.plan_id} rejected by the checker:[/red]")
        for v in e.plan.violations[:10]:
            console.print(f"  [red]{v}[/red]")
        return None
    console.log(f"plan {result.plan_id} stored in {time.monotonic() - t0:.0f} s")
    print_plan(result, routes=False)
    for r in sorted(result.routes, key=lambda r: -len(r.bin_ids))[:2]:
        stops = " → ".join(s.bin_id or (s.site_id or "") for s in r.stops[:8])
        console.print(
            f"  {r.vehicle_id}: {len(r.bin_ids)} bins, {r.km:.1f} km,"
            f" {r.disposal_trips} unloads; {stops} …"
        )
    return result


def train_parking(ep: Endpoints, settings: Settings, scenario: DayScenario) -> Path:
    """Fit the parking-availability model on the ingested window; save it for serving."""
    t0 = time.monotonic()
    until = scenario.gps_end
    data = asyncio.run(
        load_window(
            ep.database_url,
            until - timedelta(days=scenario.parking_days),
            until + timedelta(seconds=1),
        )
    )
    model = train_for_serving(data.table, data.sites, scenario.tz)
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    path = settings.state_dir / "parking_model.npz"
    save_model(model, path)
    console.log(
        f"parking model trained on {scenario.parking_days:g} days of counts"
        f" ({len(data.sites.site_ids)} sites) in {time.monotonic() - t0:.0f} s → {path}"
    )
    return path
