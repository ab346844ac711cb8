"""Retention on a schedule inside the API process: a background task that deletes drivers'
positions older than ``CITYOPS_GPS_RETENTION_DAYS`` (:func:`core.db.retention.run_retention`) at
start-up and then every ``CITYOPS_RETENTION_INTERVAL_H`` hours (0 turns it off). Several API
processes may run it: an advisory lock lets one run at a time, the others skip. A failed run is
logged and retried at the next interval; the task ends with the application."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime

import asyncpg

from api.background import stop_task
from core.db.retention import DEFAULT_AGGREGATE_DAYS, RetentionReport, run_retention_exclusive

log = logging.getLogger(__name__)


async def run_once(
    pool: asyncpg.Pool,
    retention_days: int,
    now: datetime | None = None,
    aggregate_days: int = DEFAULT_AGGREGATE_DAYS,
) -> RetentionReport | None:
    """One retention run at ``now`` (default: the current time); None when another process
    held the lock."""
    async with pool.acquire() as conn:
        when = now or datetime.now(UTC)
        report = await run_retention_exclusive(conn, when, retention_days, aggregate_days)
    if report is not None:
        log.info(
            "retention (keeping %s on): %d GPS partitions dropped, %d live positions deleted,"
            " %d re-plans and %d proofs of service scrubbed, %d days of fleet aggregates deleted",
            report.first_kept_day,
            len(report.gps_partitions_dropped),
            report.positions_deleted,
            report.replans_scrubbed,
            report.adherence_plans_scrubbed,
            report.fleet_days_deleted,
        )
    return report


async def run_forever(
    pool: asyncpg.Pool,
    retention_days: int,
    every_h: float,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    aggregate_days: int = DEFAULT_AGGREGATE_DAYS,
) -> None:
    """Run now, then every ``every_h`` hours; never returns (cancel the task to stop)."""
    if every_h <= 0:
        raise ValueError("every_h must be positive.")
    while True:
        try:
            await run_once(pool, retention_days, clock(), aggregate_days)
        except Exception:  # the API keeps serving; the next run tries again
            log.exception("scheduled retention failed")
        await asyncio.sleep(every_h * 3600.0)


def start(
    pool: asyncpg.Pool,
    retention_days: int,
    every_h: float,
    aggregate_days: int = DEFAULT_AGGREGATE_DAYS,
) -> asyncio.Task[None] | None:
    """The background task, or None when ``every_h`` is 0."""
    if every_h <= 0:
        return None
    return asyncio.get_running_loop().create_task(
        run_forever(pool, retention_days, every_h, aggregate_days=aggregate_days),
        name="retention",
    )


async def stop(task: asyncio.Task[None] | None) -> None:
    """Cancel the task and wait for it."""
    await stop_task(task)
