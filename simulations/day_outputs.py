"""After ingest: fleet report, the day's collection plan, the parking model, serving."""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import timedelta
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
    ep: Endpoints, settings: Settings, scenario: DayScenario, city: City, districts: Districts
) -> None:
    """Fleet analytics of the ingested hour: pseudonymised, coarsened, the read logged; time on
    the road per district of the city profile."""
    t0 = time.monotonic()

    async def read() -> Traces:
        conn = await asyncpg.connect(ep.database_url)
        try:
            return await read_traces(
                conn,
                scenario.gps_start,
                scenario.gps_end + timedelta(seconds=1),
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
        title=f"Fleet from GPS, {scenario.gps_start:%H:%M}-{scenario.gps_end:%H:%M} local"
        " (vehicles pseudonymised)"
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
    scenario: DayScenario,
    args: argparse.Namespace,
    net: RoadNetwork,
    ep: Endpoints,
    settings: Settings,
) -> DayPlanResult | None:
    """Forecast, select and route the day's collections from what was just ingested."""
    request = PlanRequest(
        scenario.day,
        time_limit_s=args.plan_time_limit,
        engine=args.engine,
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


def serve_day(settings: Settings, ep: Endpoints, port: int | None, seconds: float | None) -> None:
    """Serve planners, drivers and citizens on the simulated day; print where to look."""
    import threading

    import uvicorn

    from api.app import create_app
    from api.serve import create_demo_users, demo_urls
    from core.embedded import free_port

    host = settings.api_host
    port = port if port is not None else settings.api_port
    if port == 0 or not _port_free(host, port):
        port = free_port()
    users = asyncio.run(create_demo_users(settings, ep.database_url, n_drivers=3))
    base = f"http://{host}:{port}"
    t = Table(title="Demo users (passwords are new on every run)")
    for col in ("user", "role", "password", "vehicles"):
        t.add_column(col)
    for u in users:
        t.add_row(u.username, u.role.value, u.password, ", ".join(u.vehicle_ids) or "-")
    console.print(t)
    for name, url in demo_urls(base, users).items():
        console.print(f"  {name:22} {url}")
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, ep.database_url),
            host=host,
            port=port,
            log_level="warning",
            access_log=False,  # citizens' queries carry coordinates: never logged
        )
    )
    if seconds is not None:
        threading.Timer(seconds, lambda: setattr(server, "should_exit", True)).start()
        console.log(f"serving on {base} for {seconds:g} s")
    else:
        console.log(f"serving on {base}; press Ctrl-C to stop")
    server.run()


def _port_free(host: str, port: int) -> bool:
    import socket

    with socket.socket() as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True
