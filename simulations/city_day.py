"""The main job: simulated days of the configured city (CITYOPS_CITY), end to end.

    city-day [--date YYYY-MM-DD] [--days 1] [--seed 42] [--gps-hours 1] ...

Starts (or connects to) the broker and database, places bins, vehicles and parking sites on the
real road network and publishes the bins' fill history and parking counts (with a small share of
realistic faults) to be ingested by one consumer process per topic. Then, each day: plans the
collection rounds from what was ingested before the first shift; the waste trucks drive the plan
(seeded traffic, service and unloading times) and their whole shift of GPS, with the other
vehicles' GPS window and the bins' readings (emptied bins reset), goes through the broker; the
drivers report their stops through the API; the day ends with proof of service (adherence) and
the fleet report. At the end every message produced is reconciled as stored or dead-lettered
with a reason, and the API and maps are served.
"""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from core.cli import HelpFormatter, env_epilog
from core.embedded import services
from core.settings import Settings
from routing.network.graph import build_network
from routing.network.osm import load_osm
from simulations.city import build_city
from simulations.day_drive import RunOptions
from simulations.day_loop import run_city
from simulations.day_scenario import DayScenario, console, parking_sites_on
from simulations.demo_files import demo_dir, load_demo
from simulations.driver_reports import ReportRates


def parse_args(argv: list[str] | None, tz: str) -> tuple[DayScenario, argparse.Namespace]:
    today = datetime.now(ZoneInfo(tz)).date()
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
            "CITYOPS_PERSIST_DIR",
            note="Without KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL an embedded broker / PostgreSQL"
            " server is started (the 'embedded' extra).",
        ),
    )
    p.add_argument(
        "--date",
        type=date.fromisoformat,
        default=None,
        help="first local day to simulate (default: DAYS days ago, so the last day is yesterday"
        " and no timestamp is in the future)",
    )
    p.add_argument(
        "--days", type=int, default=1, help="consecutive days: plan, drive, report, check"
    )
    p.add_argument("--seed", type=int, default=42, help="seed of the whole simulated city")
    p.add_argument("--bins", type=int, default=1000, help="litter bins placed")
    p.add_argument("--vehicles", type=int, default=1500, help="municipal vehicles sending GPS")
    p.add_argument(
        "--gps-start-hour",
        type=float,
        default=7.0,
        help="local hour the other vehicles' GPS starts (the routed trucks send all shift)",
    )
    p.add_argument(
        "--gps-hours",
        type=float,
        default=1.0,
        help="hours of GPS fixes of the vehicles other than the routed trucks, each day",
    )
    p.add_argument(
        "--fill-days", type=float, default=3.0, help="bin history before the first plan (days)"
    )
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
        "--report-error-rate",
        type=float,
        default=0.02,
        help="share of drivers' stop reports that are wrong (half) or missing (half)",
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
    p.add_argument(
        "--persist",
        type=Path,
        default=None,
        metavar="DIR",
        help="keep the embedded broker's and database's data in DIR: a later run continues the"
        " stored city (its messages are counted from where the last run left off; repeated days"
        " are dead-lettered as duplicates) (default: CITYOPS_PERSIST_DIR, else thrown away)",
    )
    p.add_argument("--log-level", default="WARNING", help="DEBUG, INFO, WARNING or ERROR")
    a = p.parse_args(argv)
    if a.days < 1:
        p.error("--days must be at least 1")
    if not 0 <= a.report_error_rate < 1:
        p.error("--report-error-rate must be in [0, 1)")
    scenario = DayScenario(
        a.date or today - timedelta(days=a.days),
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
        a.days,
    )
    return scenario, a


def main(argv: list[str] | None = None) -> int:
    settings = Settings()
    profile = settings.city_profile()
    scenario, args = parse_args(argv, profile.timezone)
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("kafka").setLevel(logging.ERROR)  # slow-task notices from its I/O thread
    demo = load_demo(demo_dir(settings.city, settings.demo_dir))
    rate = args.report_error_rate
    options = RunOptions(
        plan_time_limit=args.plan_time_limit,
        engine=args.engine,
        speedup=args.speedup,
        serve_seconds=args.serve_seconds,
        port=args.port,
        reports=ReportRates(missing=rate / 2, wrong=rate / 2),
    )
    persist = args.persist or settings.persist_dir
    with services(
        settings.kafka_bootstrap_servers, settings.database_url.get_secret_value(), persist
    ) as ep:
        where = {True: "embedded", False: "external"}
        console.log(
            f"broker {ep.kafka_bootstrap_servers} ({where[ep.embedded_kafka]}),"
            f" database {where[ep.embedded_db]}"
        )
        net = build_network(load_osm(profile.osm_files))
        city = build_city(net, profile, demo, scenario.seed, scenario.n_bins, scenario.n_vehicles)
        parking = parking_sites_on(net, scenario.seed, profile.districts)
        result = run_city(ep, settings, net, city, parking, profile.districts, scenario, options)
    console.log("services stopped")
    return 0 if result.reconciled else 1


if __name__ == "__main__":
    sys.exit(main())
