"""GDPR retention for raw GPS history: drop whole daily partitions older than the window."""

from __future__ import annotations

import logging
import re
from datetime import date, datetime, timedelta

import asyncpg

log = logging.getLogger(__name__)
_PART = re.compile(r"^gps_fixes_(\d{8})$")


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
    if retention_days < 1:
        raise ValueError("retention_days must be at least 1.")
    cutoff = (now - timedelta(days=retention_days)).date()
    dropped = []
    for name, day in await gps_partitions(conn):
        if day < cutoff:
            await conn.execute(f"DROP TABLE {name}")
            log.info("retention: dropped %s (older than %d days)", name, retention_days)
            dropped.append(name)
    return dropped


async def scrub_expired_adherence(
    conn: asyncpg.Connection, now: datetime, retention_days: int
) -> int:
    """Delete the per-bin proof-of-service rows (service times, dwells: derived from drivers'
    positions) and the off-route lines of plans older than the GPS window; the per-truck counts
    stay. Returns the number of plans scrubbed."""
    if retention_days < 1:
        raise ValueError("retention_days must be at least 1.")
    cutoff = (now - timedelta(days=retention_days)).date()
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
