"""Integration: GPS history retention drops whole expired day partitions only."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from core.db.ingest_tables import GPS, BatchWriter
from core.db.retention import drop_expired_gps, gps_partitions, scrub_expired_adherence
from core.records import GpsFix

pytestmark = pytest.mark.integration


def test_drop_expired_gps_keeps_recent_days(database):
    """Fixes 40 days old are dropped with their partition; yesterday's stay."""
    now = datetime(2026, 11, 27, 12, tzinfo=UTC)

    async def go() -> tuple[list[str], int, list[str]]:
        conn = await asyncpg.connect(database)
        writer = BatchWriter(conn, GPS)
        fixes = [
            GpsFix("v1", now - timedelta(days=d, minutes=m), 12.56, 55.69, 20.0, 10.0)
            for d in (1, 40)
            for m in range(3)
        ]
        await writer.write([GPS.row(f, 0, i) for i, f in enumerate(fixes)])
        dropped = await drop_expired_gps(conn, now, 30)
        left = int(await conn.fetchval("SELECT count(*) FROM gps_fixes"))
        names = [n for n, _ in await gps_partitions(conn)]
        await conn.close()
        return dropped, left, names

    dropped, left, names = asyncio.run(go())
    assert dropped == ["gps_fixes_20261018"]
    assert left == 3
    assert names == ["gps_fixes_20261126"]


def test_scrub_deletes_proof_of_service_details_of_expired_plans_only(database):
    """After the window, a plan's per-bin service rows and off-route lines go; counts stay."""
    from tests.core.test_adherence_store import _stored
    from tests.fleet.test_adherence import T0

    async def go() -> tuple[int, int, int, int, str]:
        conn = await asyncpg.connect(database)
        try:
            await _stored(conn)
            kept = await scrub_expired_adherence(conn, T0 + timedelta(days=10), 30)
            scrubbed = await scrub_expired_adherence(conn, T0 + timedelta(days=40), 30)
            visits = int(await conn.fetchval("SELECT count(*) FROM adherence_visits"))
            served = int(await conn.fetchval("SELECT sum(served) FROM adherence_trucks"))
            lines = await conn.fetchval(
                "SELECT string_agg(off_route_lines::text, ',') FROM adherence_trucks"
            )
            return kept, scrubbed, visits, served, lines
        finally:
            await conn.close()

    kept, scrubbed, visits, served, lines = asyncio.run(go())
    assert (kept, scrubbed, visits, served) == (0, 1, 0, 3)
    assert lines == "[],[]"
