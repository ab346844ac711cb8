"""The main job: one simulated Copenhagen day, end to end.

    city-day [--date YYYY-MM-DD] [--seed 42] [--gps-hours 1] ...

Starts (or connects to) the broker and database, places bins, vehicles and parking sites on the
real road network, publishes sensor readings, GPS fixes and parking counts (with a small share of
realistic faults), ingests them with one consumer process per topic, and prints a reconciled
summary: every message produced is either stored or dead-lettered with a reason.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg
from rich.console import Console
from rich.table import Table

from core.db.fleet import Traces, read_traces
from core.db.inventory import save_bins, save_parking_sites, save_sites, save_vehicles
from core.db.migrate import migrate
from core.embedded import Endpoints, services
from core.plan import DayPlan as DayPlanResult
from core.settings import Settings
from ingest import kafka_io
from ingest.progress import committed_total
from ingest.reconcile import count_dead_letters
from ingest.topics import kinds
from parking.persistence import save_model
from parking.pipeline import train_for_serving
from parking.store import load_window
from routing.cli import print_plan
from routing.fleet_report import fleet_report
from routing.network import RoadNetwork, build_network
from routing.osm import load_copenhagen
from routing.plan_service import PlanRejected, PlanRequest, plan_day
from routing.solution import Solution
from simulations.bins_sim import simulate_history
from simulations.city import City, build_city, district_of
from simulations.faults import FaultInjector
from simulations.parking_sim import SimConfig, SimSite, StreetPoint, make_sites, simulate
from simulations.publish import Publisher
from simulations.vehicles_sim import gps_batches

log = logging.getLogger("city_day")
LOCAL = ZoneInfo("Europe/Copenhagen")
console = Console(width=150)


@dataclass(frozen=True)
class DayPlan:
    """What to simulate, in local time."""

    day: date
    seed: int
    n_bins: int
    n_vehicles: int
    gps_start_h: float
    gps_hours: float
    fill_days: float
    fill_interval_min: float
    parking_days: float
    parking_step_min: int
    fault_rate: float

    @property
    def gps_start(self) -> datetime:
        midnight = datetime(self.day.year, self.day.month, self.day.day, tzinfo=LOCAL)
        return midnight + timedelta(hours=self.gps_start_h)

    @property
    def gps_end(self) -> datetime:
        return self.gps_start + timedelta(hours=self.gps_hours)


def parse_args(argv: list[str] | None) -> tuple[DayPlan, argparse.Namespace]:
    yesterday = (datetime.now(LOCAL) - timedelta(days=1)).date()
    p = argparse.ArgumentParser(
        prog="city-day", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--date",
        type=date.fromisoformat,
        default=yesterday,
        help="local day to simulate (default: yesterday, so no timestamp is future)",
    )
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--bins", type=int, default=1000)
    p.add_argument("--vehicles", type=int, default=1500)
    p.add_argument("--gps-start-hour", type=float, default=7.0, help="local hour GPS starts")
    p.add_argument("--gps-hours", type=float, default=1.0)
    p.add_argument("--fill-days", type=float, default=3.0, help="bin history before the hour")
    p.add_argument("--fill-interval-min", type=float, default=30.0)
    p.add_argument("--parking-days", type=float, default=7.0)
    p.add_argument("--parking-step-min", type=int, default=15)
    p.add_argument("--fault-rate", type=float, default=0.001)
    p.add_argument(
        "--speedup",
        type=float,
        default=0.0,
        help="pace publishing at simulated time / SPEEDUP (0 = as fast as possible)",
    )
    p.add_argument(
        "--plan-time-limit",
        type=float,
        default=20.0,
        help="solver time budget for the day's routes (s)",
    )
    p.add_argument("--engine", choices=["portfolio", "ortools", "pyvrp"], default="portfolio")
    p.add_argument(
        "--port",
        type=int,
        default=None,
        help="API port (default: CITYOPS_API_PORT or 8000; a free one if taken)",
    )
    p.add_argument(
        "--serve-seconds",
        type=float,
        default=None,
        help="serve the API this long, then shut down (default: until Ctrl-C; 0: do not serve)",
    )
    p.add_argument("--log-level", default="WARNING")
    a = p.parse_args(argv)
    plan = DayPlan(
        a.date,
        a.seed,
        a.bins,
        a.vehicles,
        a.gps_start_hour,
        a.gps_hours,
        a.fill_days,
        a.fill_interval_min,
        a.parking_days,
        a.parking_step_min,
        a.fault_rate,
    )
    return plan, a


def parking_sites_on(net: RoadNetwork, seed: int) -> list[SimSite]:
    import numpy as np

    pts = net.sample_street_points(np.random.default_rng([seed, 7]), 600)
    named = [
        StreetPoint(float(x), float(y), s)
        for x, y, s in zip(pts.lon, pts.lat, pts.street, strict=True)
        if s
    ]
    return make_sites(SimConfig(step_min=15, seed=seed), named)


async def register(dsn: str, city: City, parking: list[SimSite]) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await migrate(conn)
        await save_sites(conn, list(city.depots), "depot")
        await save_sites(conn, list(city.disposal_sites), "disposal")
        await save_bins(conn, list(city.bins))
        await save_vehicles(conn, list(city.vehicles))
        await save_parking_sites(conn, [s.site for s in parking])
    finally:
        await conn.close()


def start_consumers(ep: Endpoints, settings: Settings) -> dict[str, subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": ep.kafka_bootstrap_servers,
        "DATABASE_URL": ep.database_url,
    }
    return {
        k: subprocess.Popen(
            [sys.executable, "-m", "ingest", "--kind", k, "--log-level", "ERROR"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for k in ("fill", "gps", "parking")
    }


def publish(
    plan: DayPlan,
    net: RoadNetwork,
    city: City,
    parking: list[SimSite],
    settings: Settings,
    bootstrap: str,
    speedup: float,
) -> Publisher:
    pub = Publisher(bootstrap, speedup)
    seed = plan.seed
    fill_start = plan.gps_start - timedelta(days=plan.fill_days)
    t0 = time.monotonic()
    history = simulate_history(
        list(city.bins),
        fill_start,
        plan.gps_end - fill_start,
        timedelta(minutes=plan.fill_interval_min),
        seed,
        activity=city.bin_activity,
    )
    pub.send_all(
        settings.topic_fill, FaultInjector(plan.fault_rate, seed).messages(history.readings())
    )
    console.log(
        f"fill readings published: {pub.counts.sent[settings.topic_fill]:,}"
        f" ({time.monotonic() - t0:.1f} s)"
    )
    t0 = time.monotonic()
    park_start = plan.gps_end - timedelta(days=plan.parking_days)
    cfg = SimConfig(step_min=plan.parking_step_min, seed=seed)
    pub.send_all(
        settings.topic_parking,
        FaultInjector(plan.fault_rate, seed + 1).messages(
            simulate(parking, park_start, plan.parking_days, cfg)
        ),
    )
    console.log(
        f"parking observations published: {pub.counts.sent[settings.topic_parking]:,}"
        f" ({time.monotonic() - t0:.1f} s)"
    )
    t0 = time.monotonic()
    gps_faults = FaultInjector(plan.fault_rate, seed + 2)
    for batch in gps_batches(net, city, plan.gps_start, timedelta(hours=plan.gps_hours), seed):
        if batch:
            pub.send_all(
                settings.topic_gps, gps_faults.messages(batch), sim_time=batch[0].observed_at
            )
    pub.flush()
    console.log(
        f"GPS fixes published: {pub.counts.sent[settings.topic_gps]:,}"
        f" ({time.monotonic() - t0:.1f} s)"
    )
    return pub


def wait_ingested(
    ep: Endpoints, settings: Settings, sent: dict[str, int], timeout_s: float = 900
) -> None:
    by_kind = kinds(settings)
    deadline = time.monotonic() + timeout_s
    pending = dict(sent)
    while pending and time.monotonic() < deadline:
        for kind in list(pending):
            k = by_kind[kind]
            done = committed_total(ep.kafka_bootstrap_servers, k.group(), k.topic(settings))
            if done >= pending[kind]:
                console.log(f"{kind}: all {done:,} offsets committed")
                del pending[kind]
        time.sleep(1.0)
    if pending:
        raise TimeoutError(f"ingest did not finish within {timeout_s} s: {pending}")


async def row_counts(dsn: str) -> dict[str, int]:
    conn = await asyncpg.connect(dsn)
    try:
        return {
            t: int(await conn.fetchval(f"SELECT count(*) FROM {t}"))  # noqa: S608
            for t in (
                "fill_readings",
                "gps_fixes",
                "parking_observations",
                "bin_state",
                "vehicle_state",
                "parking_state",
            )
        }
    finally:
        await conn.close()


def summarise(
    settings: Settings, ep: Endpoints, pub: Publisher, stats: dict[str, dict[str, object]]
) -> bool:
    by_kind = kinds(settings)
    n_dead = sum(sum(s["dead_lettered"].values()) for s in stats.values())  # type: ignore[attr-defined,misc]
    dead = count_dead_letters(
        ep.kafka_bootstrap_servers, settings.topic_dead_letter, expected=n_dead, idle_s=2.0
    )
    rows = asyncio.run(row_counts(ep.database_url))
    table_of = {"fill": "fill_readings", "gps": "gps_fixes", "parking": "parking_observations"}
    t = Table(title="Simulated city day: messages produced, stored and dead-lettered")
    for col in (
        "topic",
        "produced",
        "faults injected",
        "stored (rows)",
        "dead-lettered",
        "reasons",
        "reconciles",
    ):
        t.add_column(col)
    ok_all = True
    for kind, s in stats.items():
        topic = by_kind[kind].topic(settings)
        produced = pub.counts.sent[topic]
        stored = rows[table_of[kind]]
        dl = dead.by_topic[topic]
        ok = produced == stored + dl and stored == s["stored"]
        ok_all &= ok
        reasons = ", ".join(f"{r}={n}" for r, n in sorted(dead.by_reason.get(topic, {}).items()))
        t.add_row(
            topic,
            f"{produced:,}",
            f"{pub.counts.faulty[topic]:,}",
            f"{stored:,}",
            f"{dl:,}",
            reasons or "-",
            "yes" if ok else "NO",
        )
    console.print(t)
    console.print(
        f"current state: {rows['bin_state']} bins, {rows['vehicle_state']} vehicles, "
        f"{rows['parking_state']} parking sites"
    )
    return ok_all


def main(argv: list[str] | None = None) -> int:
    plan, args = parse_args(argv)
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("kafka").setLevel(logging.ERROR)  # slow-task notices from its I/O thread
    settings = Settings()
    t_start = time.monotonic()
    with services(settings.kafka_bootstrap_servers, settings.database_url.get_secret_value()) as ep:
        where = {True: "embedded", False: "external"}
        console.log(
            f"broker {ep.kafka_bootstrap_servers} ({where[ep.embedded_kafka]}),"
            f" database {where[ep.embedded_db]}"
        )
        net = build_network(load_copenhagen(settings.data_dir))
        city = build_city(net, plan.seed, plan.n_bins, plan.n_vehicles)
        parking = parking_sites_on(net, plan.seed)
        asyncio.run(register(ep.database_url, city, parking))
        console.log(
            f"road network {net.n_nodes:,} nodes; {len(city.bins)} bins,"
            f" {len(city.vehicles)} vehicles, {len(parking)} parking sites registered"
        )
        kafka_io.ensure_topics(
            ep.kafka_bootstrap_servers,
            [
                settings.topic_fill,
                settings.topic_gps,
                settings.topic_parking,
                settings.topic_dead_letter,
            ],
            settings.topic_partitions,
            settings.topic_replication,
        )
        consumers = start_consumers(ep, settings)
        try:
            pub = publish(
                plan, net, city, parking, settings, ep.kafka_bootstrap_servers, args.speedup
            )
            by_kind = kinds(settings)
            wait_ingested(
                ep, settings, {k: pub.counts.sent[by_kind[k].topic(settings)] for k in consumers}
            )
            pub.close()
        finally:
            stats: dict[str, dict[str, object]] = {}
            for kind, proc in consumers.items():
                proc.send_signal(signal.SIGTERM)
                out, err = proc.communicate(timeout=60)
                lines = out.decode().strip().splitlines()
                if proc.returncode != 0 or not lines:
                    console.print(f"[red]consumer {kind} failed:[/red] {err.decode()[-2000:]}")
                    continue
                stats[kind] = json.loads(lines[-1])
        ok = summarise(settings, ep, pub, stats)
        console.log(
            f"ingest finished in {time.monotonic() - t_start:.0f} s;"
            f" reconciled: {'yes' if ok else 'NO'}"
        )
        fleet_summary(ep, settings, plan, city)
        plan_routes(plan, args, net, ep, settings)
        train_parking(ep, settings, plan)
        if args.serve_seconds != 0:
            serve_day(settings, ep, args.port, args.serve_seconds)
    console.log("services stopped")
    return 0 if ok else 1


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
            create_app(settings, ep.database_url), host=host, port=port, log_level="warning"
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


def fleet_summary(ep: Endpoints, settings: Settings, plan: DayPlan, city: City) -> None:
    """Fleet analytics of the ingested hour: pseudonymised, coarsened, the read logged."""
    t0 = time.monotonic()

    async def read() -> Traces:
        conn = await asyncpg.connect(ep.database_url)
        try:
            return await read_traces(
                conn,
                plan.gps_start,
                plan.gps_end + timedelta(seconds=1),
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
        district_of,
    )
    t = Table(
        title=f"Fleet from GPS, {plan.gps_start:%H:%M}-{plan.gps_end:%H:%M} local"
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
        f"{a} {h:,.0f} h" for a, h in sorted(report.hours_by_area.items(), key=lambda x: -x[1])
    )
    console.print(
        f"time on the road by district: {areas}; {report.dropped_outliers} GPS outliers"
        f" dropped ({time.monotonic() - t0:.1f} s)"
    )


def plan_routes(
    plan: DayPlan, args: argparse.Namespace, net: RoadNetwork, ep: Endpoints, settings: Settings
) -> DayPlanResult | None:
    """Forecast, select and route the day's collections from what was just ingested."""
    request = PlanRequest(
        plan.day, time_limit_s=args.plan_time_limit, engine=args.engine, seed=plan.seed
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


def train_parking(ep: Endpoints, settings: Settings, plan: DayPlan) -> Path:
    """Fit the parking-availability model on the ingested window; save it for serving."""
    t0 = time.monotonic()
    until = plan.gps_end
    data = asyncio.run(
        load_window(
            ep.database_url, until - timedelta(days=plan.parking_days), until + timedelta(seconds=1)
        )
    )
    model = train_for_serving(data.table, data.sites, "Europe/Copenhagen")
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    path = settings.state_dir / "parking_model.npz"
    save_model(model, path)
    console.log(
        f"parking model trained on {plan.parking_days:g} days of counts"
        f" ({len(data.sites.site_ids)} sites) in {time.monotonic() - t0:.0f} s → {path}"
    )
    return path


if __name__ == "__main__":
    sys.exit(main())
