"""``city-fleet aggregate [--date D | --since D --until D]``: compute and store the fleet's daily
aggregates (km, driving, idling, in-service and parked time per vehicle pseudonym, kind, district
and local hour; shifts and CO2) from the stored GPS, for local days of the city's time zone.

Without dates it computes yesterday (local). Computing a day again replaces it, so the command is
safe to re-run, e.g. daily from cron (the API process also runs it daily at
CITYOPS_FLEET_AGGREGATE_HOUR). Every GPS read is access-logged (purpose fleet_aggregates, actor
cli:<os user>).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import sys
import time
from datetime import UTC, date, datetime, timedelta

import asyncpg

from core.cli import HelpFormatter, env_epilog
from core.db.migrate import migrate
from core.logs import configure_logging
from core.settings import Settings
from fleet.aggregate_service import AggregateJob, aggregate_days, job_from_settings
from fleet.schedule import previous_day

MAX_DAYS = 366


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from e


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="city-fleet",
        description=__doc__,
        formatter_class=HelpFormatter,
        epilog=env_epilog(
            "DATABASE_URL",
            "CITYOPS_CITY",
            "CITYOPS_DATA_DIR",
            "CITYOPS_PSEUDONYM_KEY",
            "CITYOPS_ENVIRONMENT",
            "CITYOPS_FLEET_AGGREGATE_HOUR",
            "CITYOPS_LOG_FORMAT",
        ),
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    a = sub.add_parser(
        "aggregate",
        help="compute and store daily fleet aggregates",
        description="Compute and store the fleet aggregates of local days (default: yesterday).",
        formatter_class=HelpFormatter,
        epilog=env_epilog(
            "DATABASE_URL", "CITYOPS_CITY", "CITYOPS_DATA_DIR", "CITYOPS_PSEUDONYM_KEY"
        ),
    )
    a.add_argument("--date", type=_day, help="one local day, YYYY-MM-DD")
    a.add_argument("--since", type=_day, help="first local day, YYYY-MM-DD (with --until)")
    a.add_argument("--until", type=_day, help="last local day, inclusive (with --since)")
    a.add_argument(
        "--every-hours",
        type=float,
        default=0.0,
        help="a long-lived service: compute yesterday (local) again on this schedule (0: once;"
        " not with --date or --since)",
    )
    return p


def days_of(args: argparse.Namespace, today_before: date) -> list[date]:
    """The days the options ask for (``today_before``: the default, yesterday); ValueError
    saying what is wrong."""
    if args.date and (args.since or args.until):
        raise ValueError("give --date or --since/--until, not both.")
    if bool(args.since) != bool(args.until):
        raise ValueError("--since and --until go together.")
    if args.date:
        return [args.date]
    if args.since:
        if args.until < args.since:
            raise ValueError("--until must not be before --since.")
        n = (args.until - args.since).days + 1
        if n > MAX_DAYS:
            raise ValueError(f"at most {MAX_DAYS} days at once.")
        return [args.since + timedelta(days=k) for k in range(n)]
    return [today_before]


async def _run(dsn: str, days: list[date], job: AggregateJob) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await migrate(conn)
        for agg in await aggregate_days(conn, days, job, f"cli:{getpass.getuser()}"):
            km = sum(v.usage.km for v in agg.vehicles)
            used = sum(1 for v in agg.vehicles if v.usage.in_use_s > 0)
            print(
                f"{agg.day}: {len(agg.vehicles)} vehicles ({used} used), {agg.fixes} fixes,"
                f" {km:.1f} km"
            )
    finally:
        await conn.close()


def main(argv: list[str] | None = None) -> int:
    """CLI entry point; returns the exit status."""
    p = parser()
    args = p.parse_args(argv)
    if args.command is None:
        p.print_help(sys.stderr)
        return 2
    settings = Settings()
    configure_logging(logging.INFO, settings.log_format)
    job = job_from_settings(settings)
    if args.every_hours > 0 and (args.date or args.since):
        p.error("--every-hours recomputes yesterday: not with --date or --since.")
    try:
        days = days_of(args, previous_day(datetime.now(UTC), job.timezone))
    except ValueError as e:
        p.error(str(e))
    dsn = settings.database_url.get_secret_value()
    if not dsn:
        print("DATABASE_URL must be set", file=sys.stderr)
        return 2
    while True:
        started = time.monotonic()
        asyncio.run(_run(dsn, days, job))
        if args.every_hours <= 0:
            return 0
        time.sleep(max(0.0, args.every_hours * 3600 - (time.monotonic() - started)))
        days = [previous_day(datetime.now(UTC), job.timezone)]


if __name__ == "__main__":
    sys.exit(main())
