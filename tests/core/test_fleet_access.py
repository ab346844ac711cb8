"""Integration: reading GPS history needs an actor and a purpose, and is logged."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from core.db.fleet import read_traces
from core.db.ingest_tables import GPS, BatchWriter
from core.records import GpsFix

pytestmark = pytest.mark.integration
T0 = datetime(2026, 11, 26, 7, tzinfo=UTC)


def test_read_traces_logs_every_access(database):
    """A read returns the window's fixes grouped by vehicle and leaves one access_log row."""

    async def go() -> tuple[tuple[str, ...], int, list[asyncpg.Record]]:
        conn = await asyncpg.connect(database)
        fixes = [
            GpsFix(f"v{i % 2}", T0 + timedelta(seconds=5 * i), 12.56, 55.69, 20.0, 0.0)
            for i in range(10)
        ]
        await BatchWriter(conn, GPS).write([GPS.row(f, 0, i) for i, f in enumerate(fixes)])
        with pytest.raises(ValueError):
            await read_traces(conn, T0, T0 + timedelta(hours=1), "", "report")
        tr = await read_traces(conn, T0, T0 + timedelta(seconds=25), "planner", "fleet report")
        log = await conn.fetch("SELECT actor, purpose, resource FROM access_log")
        await conn.close()
        return tr.vehicle_ids, len(tr.t_s), log

    ids, n, log = asyncio.run(go())
    assert ids == ("v0", "v1") and n == 5
    assert [tuple(r) for r in log] == [("planner", "fleet report", "gps_fixes")]
