"""GDPR retention of drivers' positions: everything older than the window is deleted.

The window is whole UTC days: with ``retention_days`` N at time ``now``, the data of day
``(now - N days).date()`` -- the last day inside the window -- is kept, and every earlier day
(the first one outside it, and older) is deleted:

* raw GPS history (``gps_fixes``): whole daily partitions are dropped;
* the live position table (``vehicle_state``): a vehicle whose last fix is that old (it stopped
  reporting) loses its row;
* re-plans (``plans.inputs.truck_starts``, the routes' first stop and road geometry): a re-plan
  started each truck at its GPS position; for plans older than the window the position and fix
  time are removed from the inputs, the start stop is moved onto the route's end depot and the
  road geometry of those routes is dropped (maps draw straight lines);
* proof of service (``adherence_visits``, ``adherence_trucks.off_route_lines``): per-bin
  service times and off-route lines are deleted, the per-truck counts stay;
* fleet aggregates (``fleet_aggregate_runs`` and, cascading, the per-pseudonym rows): where a
  vehicle was each hour, pseudonymised, kept for their own, longer window
  (``CITYOPS_FLEET_AGGREGATE_RETENTION_DAYS``, by default 400 days: a year-on-year comparison).

:func:`run_retention` does all of it; :func:`run_retention_exclusive` under an advisory lock, so
several API processes running it on a schedule (and ``city-db retention`` from cron) never
collide.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import asyncpg

log = logging.getLogger(__name__)
_PART = re.compile(r"^gps_fixes_(\d{8})$")
_LOCK_KEY = 7_301_011  # advisory lock: one retention run at a time


def first_kept_day(now: datetime, retention_days: int) -> date:
    """The oldest UTC day whose data is kept at ``now`` (everything before it is deleted)."""
    if retention_days < 1:
        raise ValueError("retention_days must be at least 1.")
    return (now - timedelta(days=retention_days)).date()


async def gps_partitions(conn: asyncpg.Connection) -> list[tuple[str, date]]:
    """Daily partitions of ``gps_fixes`` and the UTC day each holds, oldest first."""
    rows = await conn.fetch(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        " JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'gps_fixes'"
    )
    out = []
    for r in rows:
        m = _PART.match(r["relname"])
        if m:
            out.append((r["relname"], datetime.strptime(m.group(1), "%Y%m%d").date()))
    return sorted(out, key=lambda x: x[1])


async def drop_expired_gps(
    conn: asyncpg.Connection, now: datetime, retention_days: int
) -> list[str]:
    """Drop partitions whose whole day ended more than ``retention_days`` before ``now``."""
    cutoff = first_kept_day(now, retention_days)
    dropped = []
    for name, day in await gps_partitions(conn):
        if day < cutoff:
            # through migration 0011's function: the API's database role owns no table
            await conn.execute("SELECT cityops_drop_day_partition('gps_fixes', $1)", day)
            log.info("retention: dropped %s (older than %d days)", name, retention_days)
            dropped.append(name)
    return dropped


async def scrub_expired_adherence(
    conn: asyncpg.Connection, now: datetime, retention_days: int
) -> int:
    """Delete the per-bin proof-of-service rows (service times, dwells: derived from drivers'
    positions) and the off-route lines of plans older than the GPS window; the per-truck counts
    stay. Returns the number of plans scrubbed."""
    cutoff = first_kept_day(now, retention_days)
    async with conn.transaction():
        plans = [
            r["plan_id"]
            for r in await conn.fetch(
                "SELECT a.plan_id FROM plan_adherence a JOIN plans p USING (plan_id)"
                " WHERE p.plan_date < $1",
                cutoff,
            )
        ]
        if plans:
            await conn.execute("DELETE FROM adherence_visits WHERE plan_id = ANY($1)", plans)
            await conn.execute(
                "UPDATE adherence_trucks SET off_route_lines = '[]'::jsonb WHERE plan_id = ANY($1)",
                plans,
            )
    if plans:
        log.info("retention: scrubbed proof-of-service details of %d plans", len(plans))
    return len(plans)


async def delete_expired_positions(
    conn: asyncpg.Connection, now: datetime, retention_days: int
) -> int:
    """Delete the live positions (``vehicle_state``) last updated before the window: vehicles
    that stopped reporting. Returns the number of rows deleted."""
    cutoff = datetime.combine(first_kept_day(now, retention_days), time(), UTC)
    status = await conn.execute("DELETE FROM vehicle_state WHERE observed_at < $1", cutoff)
    deleted = int(status.split()[-1])
    if deleted:
        log.info("retention: deleted %d live positions older than %s", deleted, cutoff.date())
    return deleted


# A re-plan's trucks that started from a GPS fix, with their position still in the inputs.
_POSITIONED = (
    "jsonb_typeof(p.inputs->'truck_starts') = 'array' AND EXISTS (SELECT 1 FROM"
    " jsonb_array_elements(p.inputs->'truck_starts') t WHERE t ?| array['lon', 'lat', 'fix_at'])"
)


async def scrub_expired_replan_positions(
    conn: asyncpg.Connection, now: datetime, retention_days: int
) -> int:
    """Remove the trucks' GPS positions from re-plans older than the window (see the module
    doc); the plans, their stops and their figures stay. Returns the number of plans scrubbed."""
    cutoff = first_kept_day(now, retention_days)
    async with conn.transaction():
        plans = [
            r["plan_id"]
            for r in await conn.fetch(
                f"SELECT p.plan_id FROM plans p WHERE p.plan_date < $1 AND {_POSITIONED}", cutoff
            )
        ]
        if not plans:
            return 0
        await conn.execute(
            "UPDATE plan_routes r SET geometry = NULL FROM plans p"
            " WHERE r.plan_id = p.plan_id AND p.plan_id = ANY($1)"
            " AND EXISTS (SELECT 1 FROM jsonb_array_elements(p.inputs->'truck_starts') t"
            " WHERE t->>'vehicle_id' = r.vehicle_id AND t->>'source' = 'gps')",
            plans,
        )
        await conn.execute(
            "UPDATE plan_stops s SET lon = e.lon, lat = e.lat, street = e.street"
            " FROM plan_stops e WHERE s.plan_id = ANY($1) AND s.seq = 0 AND s.kind = 'depot'"
            " AND s.site_id = s.vehicle_id || ':start'"
            " AND e.plan_id = s.plan_id AND e.vehicle_id = s.vehicle_id"
            " AND e.seq = (SELECT max(seq) FROM plan_stops m"
            " WHERE m.plan_id = s.plan_id AND m.vehicle_id = s.vehicle_id)",
            plans,
        )
        await conn.execute(
            "UPDATE plans SET inputs = jsonb_set(inputs, '{truck_starts}', COALESCE((SELECT"
            " jsonb_agg(t - 'lon' - 'lat' - 'fix_at' ORDER BY i) FROM"
            " jsonb_array_elements(inputs->'truck_starts') WITH ORDINALITY AS x(t, i)),"
            " '[]'::jsonb)) WHERE plan_id = ANY($1)",
            plans,
        )
    log.info("retention: removed the trucks' positions from %d re-plans", len(plans))
    return len(plans)


async def delete_expired_fleet_aggregates(
    conn: asyncpg.Connection, now: datetime, retention_days: int
) -> int:
    """Delete the fleet aggregates of local days before the window (their per-pseudonym rows
    cascade). Returns the number of days deleted."""
    cutoff = first_kept_day(now, retention_days)
    status = await conn.execute("DELETE FROM fleet_aggregate_runs WHERE day < $1", cutoff)
    deleted = int(status.split()[-1])
    if deleted:
        log.info("retention: deleted the fleet aggregates of %d days before %s", deleted, cutoff)
    return deleted


DEFAULT_AGGREGATE_DAYS = 400


@dataclass(frozen=True)
class RetentionReport:
    """What one retention run deleted."""

    first_kept_day: date
    gps_partitions_dropped: tuple[str, ...]
    positions_deleted: int
    replans_scrubbed: int
    adherence_plans_scrubbed: int
    fleet_days_deleted: int = 0


async def run_retention(
    conn: asyncpg.Connection,
    now: datetime,
    retention_days: int,
    aggregate_days: int = DEFAULT_AGGREGATE_DAYS,
) -> RetentionReport:
    """Every retention step of the module doc, at ``now``: positions kept ``retention_days``,
    fleet aggregates ``aggregate_days``."""
    dropped = await drop_expired_gps(conn, now, retention_days)
    positions = await delete_expired_positions(conn, now, retention_days)
    replans = await scrub_expired_replan_positions(conn, now, retention_days)
    adherence = await scrub_expired_adherence(conn, now, retention_days)
    fleet = await delete_expired_fleet_aggregates(conn, now, aggregate_days)
    return RetentionReport(
        first_kept_day(now, retention_days), tuple(dropped), positions, replans, adherence, fleet
    )


async def purge_access_log(conn: asyncpg.Connection, before: datetime) -> int:
    """Delete ``access_log`` rows older than ``before``: the one way to, since the log is
    append-only (migration 0011's trigger refuses UPDATE and DELETE outside a transaction that
    sets ``cityops.retention``; only the database owner has DELETE on it). Nothing calls it on a
    schedule: the city sets the period (PRIVACY.md). Returns the number of rows deleted."""
    async with conn.transaction():
        await conn.execute("SELECT set_config('cityops.retention', 'on', true)")
        status = await conn.execute("DELETE FROM access_log WHERE at < $1", before)
    deleted = int(status.split()[-1])
    log.info("retention: deleted %d access-log rows before %s", deleted, before.isoformat())
    return deleted


async def run_retention_exclusive(
    conn: asyncpg.Connection,
    now: datetime,
    retention_days: int,
    aggregate_days: int = DEFAULT_AGGREGATE_DAYS,
) -> RetentionReport | None:
    """:func:`run_retention` unless another session is running it (then None, nothing done)."""
    if not await conn.fetchval("SELECT pg_try_advisory_lock($1)", _LOCK_KEY):
        log.info("retention: another process is running it; skipped")
        return None
    try:
        return await run_retention(conn, now, retention_days, aggregate_days)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)
