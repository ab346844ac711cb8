"""Database administration on DATABASE_URL: ``city-db migrate``, ``city-db logins`` or
``city-db retention`` (also ``python -m core.db ...``).

  migrate    apply the pending schema migrations (idempotent; run before the services start)
  logins     create (or re-password) the services' least-privilege logins: cityops_ingest_svc
             from CITYOPS_DB_INGEST_PASSWORD and cityops_api_svc from CITYOPS_DB_API_PASSWORD
  retention  drop raw GPS history partitions older than CITYOPS_GPS_RETENTION_DAYS, live
             positions of vehicles silent that long, the trucks' positions in older re-plans and
             the per-bin proof-of-service details of older plans (GDPR; deletes data; the API
             also runs it every CITYOPS_RETENTION_INTERVAL_H hours), and, when
             CITYOPS_ACCESS_LOG_RETENTION_DAYS is set, access-log rows older than that (only
             here: run it as the database owner, the one role that may delete them)

Without a command it prints this help and exits with status 2: nothing is deleted by accident.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from datetime import UTC, datetime, timedelta

import asyncpg

from core.cli import HelpFormatter, env_epilog
from core.db.logins import LOGINS, ensure_login
from core.db.migrate import migrate
from core.db.retention import purge_access_log, run_retention_exclusive
from core.logs import configure_logging
from core.settings import Settings


async def _migrate(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        applied = await migrate(conn)
        print(f"migrations applied: {applied or 'none'}")
    finally:
        await conn.close()


async def _logins(dsn: str, passwords: dict[str, str]) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        done = 0
        for user, group in LOGINS.items():
            if not passwords.get(user):
                print(f"{user}: no password set, skipped")
                continue
            created = await ensure_login(conn, user, group, passwords[user])
            print(f"{user} ({group}): {'created' if created else 'password updated'}")
            done += 1
        return done
    finally:
        await conn.close()


async def _retention(
    dsn: str,
    retention_days: int,
    aggregate_days: int,
    access_log_days: int | None = None,
    now: datetime | None = None,
) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        now = now or datetime.now(UTC)
        report = await run_retention_exclusive(conn, now, retention_days, aggregate_days)
        if report is None:
            print("another process is running retention now; nothing done")
            return
        if access_log_days is not None:
            cut = now - timedelta(days=access_log_days)
            gone = await purge_access_log(conn, cut)
            print(f"access-log rows deleted (older than {access_log_days} days): {gone}")
        dropped = list(report.gps_partitions_dropped)
        print(f"GPS partitions dropped (older than {retention_days} days): {dropped or 'none'}")
        print(
            f"live positions deleted (vehicles silent since before {report.first_kept_day}):"
            f" {report.positions_deleted}"
        )
        print(f"re-plans whose trucks' positions were removed: {report.replans_scrubbed}")
        print(
            f"plans whose proof-of-service details were deleted: {report.adherence_plans_scrubbed}"
        )
        print(
            f"days of fleet aggregates deleted (older than {aggregate_days} days):"
            f" {report.fleet_days_deleted}"
        )
    finally:
        await conn.close()


def parser() -> argparse.ArgumentParser:
    """``city-db`` and its two subcommands."""
    p = argparse.ArgumentParser(
        prog="city-db",
        description=__doc__,
        formatter_class=HelpFormatter,
        epilog=env_epilog(
            "DATABASE_URL",
            "CITYOPS_GPS_RETENTION_DAYS",
            "CITYOPS_FLEET_AGGREGATE_RETENTION_DAYS",
            "CITYOPS_ACCESS_LOG_RETENTION_DAYS",
            "CITYOPS_DB_INGEST_PASSWORD",
            "CITYOPS_DB_API_PASSWORD",
            "CITYOPS_LOG_FORMAT",
        ),
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser(
        "migrate",
        help="apply pending schema migrations",
        description="Apply the pending schema migrations (in order, once, under an advisory lock).",
        formatter_class=HelpFormatter,
        epilog=env_epilog("DATABASE_URL"),
    )
    sub.add_parser(
        "logins",
        help="create the services' least-privilege logins",
        description="Create or re-password the login users of the group roles of migration 0011:"
        " cityops_ingest_svc (in cityops_ingest) and cityops_api_svc (in cityops_api). Run as"
        " the database owner after migrate; a login whose password is not set is skipped.",
        formatter_class=HelpFormatter,
        epilog=env_epilog("DATABASE_URL", "CITYOPS_DB_INGEST_PASSWORD", "CITYOPS_DB_API_PASSWORD"),
    )
    r = sub.add_parser(
        "retention",
        help="delete drivers' positions older than the window (deletes data)",
        description="Drop the daily partitions of raw GPS history older than the retention window,"
        " the live positions of vehicles silent since before it, the trucks' GPS start positions"
        " of re-plans older than it and their per-bin proof-of-service details (service times,"
        " off-route lines); with CITYOPS_ACCESS_LOG_RETENTION_DAYS set, the access-log rows"
        " older than that. PRIVACY.md lists what is kept.",
        formatter_class=HelpFormatter,
        epilog=env_epilog(
            "DATABASE_URL",
            "CITYOPS_GPS_RETENTION_DAYS",
            "CITYOPS_FLEET_AGGREGATE_RETENTION_DAYS",
            "CITYOPS_ACCESS_LOG_RETENTION_DAYS",
        ),
    )
    r.add_argument(
        "--every-hours",
        type=float,
        default=0.0,
        help="run again on this schedule, as a long-lived service (0: once)",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    """CLI entry point; returns the exit status."""
    p = parser()
    args = p.parse_args(argv)
    if args.command is None:
        p.print_help(sys.stderr)
        return 2
    settings = Settings()
    configure_logging(logging.INFO, settings.log_format)
    dsn = settings.database_url.get_secret_value()
    if not dsn:
        print("DATABASE_URL must be set", file=sys.stderr)
        return 2
    if args.command == "migrate":
        asyncio.run(_migrate(dsn))
    elif args.command == "logins":
        passwords = {
            "cityops_ingest_svc": settings.db_ingest_password.get_secret_value(),
            "cityops_api_svc": settings.db_api_password.get_secret_value(),
        }
        try:
            asyncio.run(_logins(dsn, passwords))
        except ValueError as e:
            print(f"city-db logins: {e}", file=sys.stderr)
            return 2
    else:
        days = settings.gps_retention_days
        while True:
            started = time.monotonic()
            asyncio.run(
                _retention(
                    dsn,
                    days,
                    settings.fleet_aggregate_retention_days,
                    settings.access_log_retention_days,
                )
            )
            if args.every_hours <= 0:
                break
            time.sleep(max(0.0, args.every_hours * 3600 - (time.monotonic() - started)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
