"""The API process's daily fleet aggregation: a background task that wakes at the configured
local hour (``CITYOPS_FLEET_AGGREGATE_HOUR``; -1 turns it off) and stores the previous local
day's aggregates, filling in missed days (:mod:`fleet.schedule`). A failed run is logged and
retried at the next hour; the task ends with the application."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg

from api.background import stop_task
from core.db.fleet_aggregates import stored_days
from core.settings import Settings
from fleet.aggregate_service import AggregateJob, aggregate_days, job_from_settings
from fleet.schedule import days_to_compute, next_run

log = logging.getLogger(__name__)
ACTOR = "api:daily-fleet-aggregates"
LOOKBACK_DAYS = 7


@dataclass(frozen=True)
class DailyAggregation:
    """The job and when it runs."""

    job: AggregateJob
    hour: int  # local hour; -1: off
    retention_days: int

    @classmethod
    def from_settings(cls, settings: Settings) -> DailyAggregation:
        return cls(
            job_from_settings(settings),
            settings.fleet_aggregate_hour,
            settings.gps_retention_days,
        )


async def run_once(pool: asyncpg.Pool, daily: DailyAggregation, at: datetime) -> list[str]:
    """Compute the days due at ``at``; the days computed, ISO-formatted."""
    tz = daily.job.timezone
    today = at.astimezone(ZoneInfo(tz)).date()
    async with pool.acquire() as conn:
        window = [today - timedelta(days=k) for k in range(1, LOOKBACK_DAYS + 2)]
        stored = await stored_days(conn, window)
        *missed, last = days_to_compute(at, tz, stored, LOOKBACK_DAYS, daily.retention_days)
        # a missed day without any GPS is not stored: it may predate the fleet's trackers
        done = await aggregate_days(conn, missed, daily.job, ACTOR, skip_empty=True)
        done += await aggregate_days(conn, [last], daily.job, ACTOR)
    return [a.day.isoformat() for a in done]


async def run_forever(
    pool: asyncpg.Pool,
    daily: DailyAggregation,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> None:
    """Sleep until each run and run it; never returns (cancel the task to stop)."""
    while True:
        at = next_run(clock(), daily.job.timezone, daily.hour)
        await asyncio.sleep(max(0.0, (at - clock()).total_seconds()))
        try:
            days = await run_once(pool, daily, at)
            log.info("daily fleet aggregates stored for %s", ", ".join(days))
        except Exception:  # the API keeps serving; the next run tries again
            log.exception("daily fleet aggregation failed")


def start(pool: asyncpg.Pool, daily: DailyAggregation) -> asyncio.Task[None] | None:
    """The background task, or None when the hour is -1."""
    if daily.hour < 0:
        return None
    return asyncio.get_running_loop().create_task(run_forever(pool, daily), name="fleet-daily")


async def stop(task: asyncio.Task[None] | None) -> None:
    """Cancel the task and wait for it."""
    await stop_task(task)
