"""The main job: one simulated day of the configured city (CITYOPS_CITY), end to end.

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
import signal
import sys
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from core.cli import HelpFormatter, env_epilog
from core.embedded import services
from core.settings import Settings
from ingest import kafka_io
from ingest.topics import kinds
from routing.network.graph import build_network
from routing.network.osm import load_osm
from simulations.city import build_city
from simulations.day_ingest import publish, register, start_consumers, summarise, wait_ingested
from simulations.day_outputs import fleet_summary, plan_routes, serve_day, train_parking
from simulations.day_scenario import DayScenario, console, parking_sites_on
from simulations.demo_files import demo_dir, load_demo


def parse_args(argv: list[str] | None, tz: str) -> tuple[DayScenario, argparse.Namespace]:
    yesterday = (datetime.now(ZoneInfo(tz)) - timedelta(days=1)).date()
    p = argparse.ArgumentParser(
        prog="city-day",
        description=__doc__,
        formatter_class=HelpFormatter,
        epilog=env_epilog(
            "KAFKA_BOOTSTRAP_SERVERS",
            "DATABASE_URL",
            "CITYOPS_CITY",
            "CITYOPS_DEMO_DIR",
            "CITYOPS_DATA_DIR",
            "CITYOPS_STATE_DIR",
            "CITYOPS_API_PORT",
            "CITYOPS_JWT_SECRET",
            "CITYOPS_PSEUDONYM_KEY",
            note="Without KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL an embedded broker / PostgreSQL"
            " server is started (the 'embedded' extra).",
        ),
    )
    p.add_argument(
        "--date",
        type=date.fromisoformat,
        default=yesterday,
        help="local day to simulate (default: yesterday, so no timestamp is future)",
    )
    p.add_argument("--seed", type=int, default=42, help="seed of the whole simulated city")
    p.add_argument("--bins", type=int, default=1000, help="litter bins placed")
    p.add_argument("--vehicles", type=int, default=1500, help="municipal vehicles sending GPS")
    p.add_argument("--gps-start-hour", type=float, default=7.0, help="local hour GPS starts")
    p.add_argument("--gps-hours", type=float, default=1.0, help="hours of GPS fixes")
    p.add_argument("--fill-days", type=float, default=3.0, help="bin history before the hour")
    p.add_argument(
        "--fill-interval-min", type=float, default=30.0, help="minutes between fill readings"
    )
    p.add_argument("--parking-days", type=float, default=7.0, help="days of parking counts")
    p.add_argument(
        "--parking-step-min", type=int, default=15, help="minutes between parking counts"
    )
    p.add_argument(
        "--fault-rate", type=float, default=0.001, help="share of messages with realistic faults"
    )
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
    p.add_argument(
        "--engine",
        choices=["portfolio", "ortools", "pyvrp"],
        default="portfolio",
        help="routing solver: both in parallel (best checked plan wins) or one",
    )
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
    p.add_argument("--log-level", default="WARNING", help="DEBUG, INFO, WARNING or ERROR")
    a = p.parse_args(argv)
    scenario = DayScenario(
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
        tz,
    )
    return scenario, a


def main(argv: list[str] | None = None) -> int:
    settings = Settings()
    profile = settings.city_profile()
    scenario, args = parse_args(argv, profile.timezone)
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("kafka").setLevel(logging.ERROR)  # slow-task notices from its I/O thread
    demo = load_demo(demo_dir(settings.city, settings.demo_dir))
    t_start = time.monotonic()
    with services(settings.kafka_bootstrap_servers, settings.database_url.get_secret_value()) as ep:
        where = {True: "embedded", False: "external"}
        console.log(
            f"broker {ep.kafka_bootstrap_servers} ({where[ep.embedded_kafka]}),"
            f" database {where[ep.embedded_db]}"
        )
        net = build_network(load_osm(profile.osm_files))
        city = build_city(net, profile, demo, scenario.seed, scenario.n_bins, scenario.n_vehicles)
        parking = parking_sites_on(net, scenario.seed, profile.districts)
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
                scenario, net, city, parking, settings, ep.kafka_bootstrap_servers, args.speedup
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
        fleet_summary(ep, settings, scenario, city, profile.districts)
        plan_routes(scenario, args, net, ep, settings)
        train_parking(ep, settings, scenario)
        if args.serve_seconds != 0:
            serve_day(settings, ep, args.port, args.serve_seconds)
    console.log("services stopped")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
