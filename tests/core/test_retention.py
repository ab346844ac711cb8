"""Integration: GPS history retention drops whole expired day partitions only."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from core.db.ingest_tables import GPS, BatchWriter
from core.db.retention import drop_expired_gps, gps_partitions
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
