"""Integration: the open-data aggregates group by local hour in the time zone they are given."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from core.db.ingest_tables import FILL, PARKING, BatchWriter
from core.db.inventory import save_bins, save_parking_sites
from core.db.open_data import fill_by_district_hour, occupancy_by_site_hour
from core.domain import Bin, ParkingSite
from core.records import FillReading, ParkingObservation

pytestmark = pytest.mark.integration
T0 = datetime(2026, 1, 15, 6, 10, tzinfo=UTC)  # 07:10 in Copenhagen (CET, UTC+1)


def test_hours_follow_the_time_zone_parameter(database: str) -> None:
    """The same readings fall in hour 6 in UTC and hour 7 in Europe/Copenhagen."""

    async def go() -> dict[str, tuple[list[int], list[int]]]:
        conn = await asyncpg.connect(database)
        try:
            await save_bins(conn, [Bin("b1", 12.56, 55.69, "Gade", "Indre By")])
            await save_parking_sites(conn, [ParkingSite("p1", "Gade", "street", 10, 12.56, 55.69)])
            readings = [FillReading("b1", T0 + timedelta(minutes=k), 0.1 * k) for k in range(3)]
            await BatchWriter(conn, FILL).write([FILL.row(r, 0, i) for i, r in enumerate(readings)])
            obs = [ParkingObservation("p1", T0, 4, 10)]
            await BatchWriter(conn, PARKING).write([PARKING.row(o, 0, 0) for o in obs])
            since = T0 - timedelta(hours=1)
            out = {}
            for tz in ("UTC", "Europe/Copenhagen"):
                fill = await fill_by_district_hour(conn, since, tz)
                occ = await occupancy_by_site_hour(conn, since, tz)
                out[tz] = ([f.hour for f in fill], [o.hour for o in occ])
            return out
        finally:
            await conn.close()

    got = asyncio.run(go())
    assert got == {"UTC": ([6], [6]), "Europe/Copenhagen": ([7], [7])}
