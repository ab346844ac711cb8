"""Integration: the parking model's training window and latest counts come from PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from core.db.ingest_tables import PARKING, BatchWriter
from core.db.inventory import save_parking_sites
from core.db.parking import latest_observations
from core.domain import ParkingSite
from core.records import ParkingObservation
from parking.store import load_window

pytestmark = pytest.mark.integration
T0 = datetime(2026, 11, 20, tzinfo=UTC)


def test_window_and_latest_read_back_what_ingest_stored(database):
    """Rows inside [since, until) are loaded per site; the latest count per site is served."""
    sites = [ParkingSite(f"p-{i}", f"Street {i}", "street", 10 + i, 12.56, 55.69) for i in range(3)]
    obs = [
        ParkingObservation(
            s.site_id, T0 + timedelta(minutes=15 * k), k % (s.capacity + 1), s.capacity
        )
        for s in sites
        for k in range(20)
    ]

    async def go() -> tuple[int, list[str], dict[str, int]]:
        conn = await asyncpg.connect(database)
        await save_parking_sites(conn, sites)
        await BatchWriter(conn, PARKING).write([PARKING.row(o, 0, i) for i, o in enumerate(obs)])
        latest = {o.site_id: o.free for o in await latest_observations(conn)}
        await conn.close()
        data = await load_window(database, T0 + timedelta(minutes=15), T0 + timedelta(hours=4))
        return len(data.table), list(data.sites.site_ids), latest

    n, ids, latest = asyncio.run(go())
    assert ids == ["p-0", "p-1", "p-2"]
    assert n == 3 * 15  # k = 1..15 fall in [00:15, 04:00)
    assert latest == {s.site_id: 19 % (s.capacity + 1) for s in sites}
