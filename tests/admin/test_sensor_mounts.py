"""A sensor belongs to one bin at a time: replacing a bin's sensor, or moving a sensor to
another bin, keeps every reading with the bin the sensor was on when it was observed; ingest
maps sensor to bin, falling back to sensor id = bin id for bins never mapped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from admin.importer import ImportReport, import_rows
from admin.records import InventoryKind, raw_rows
from core.db.ingest_tables import FILL, BatchWriter
from core.db.inventory import known_ids, save_bins
from core.db.onboarding import sensor_history
from core.db.readings import bin_levels, load_readings
from core.domain import Bin
from core.records import FillReading
from tests.admin.conftest import with_conn
from tests.cities import COPENHAGEN

pytestmark = pytest.mark.integration

BINS = [Bin(f"B{i}", 12.56 + 0.01 * i, 55.68, "Vej", "") for i in range(1, 4)]


async def _import(conn: asyncpg.Connection, sensors: dict[str, str]) -> ImportReport:
    rows, columns = raw_rows(BINS, sensors)
    report = await import_rows(conn, InventoryKind.BINS, rows, columns, COPENHAGEN, "test")
    assert report.ok, report.lines()
    return report


async def _ingest(conn: asyncpg.Connection, readings: list[FillReading], offset: int) -> None:
    rows = [FILL.row(r, 0, offset + k) for k, r in enumerate(readings)]
    assert (await BatchWriter(conn, FILL).write(rows)).stored == list(range(len(rows)))


def test_a_replaced_sensor_keeps_its_history_with_its_bin(database: str) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    before = now - timedelta(hours=2)

    async def go(conn: asyncpg.Connection) -> None:
        first = await _import(conn, {"B2": "S-OLD"})
        assert (first.sensors_mounted, first.sensors_replaced) == (3, 0)
        await _ingest(conn, [FillReading("B1", before, 0.3), FillReading("S-OLD", before, 0.5)], 0)
        assert await known_ids(conn, "fill") == {"B1", "S-OLD", "B3"}

        swap = await _import(conn, {"B2": "S-NEW"})  # the sensor on B2 is replaced
        assert (swap.sensors_mounted, swap.sensors_replaced) == (1, 1)
        later = datetime.now(UTC) + timedelta(minutes=1)
        await _ingest(conn, [FillReading("S-NEW", later, 0.1)], 10)
        # a reading the old sensor made before it was removed, stored afterwards by another
        # writer (a backfill; live ingest refuses sensors no longer mounted): the trigger of
        # migration 0008 maps it by the same rule as ingest
        await conn.execute(
            "INSERT INTO fill_readings (sensor_id, observed_at, filling_level, src_partition,"
            " src_offset) VALUES ('S-OLD', $1, 0.55, 0, 20)",
            before + timedelta(minutes=30),
        )
        assert await known_ids(conn, "fill") == {"B1", "S-NEW", "B3"}

        # S-OLD is mounted on B3 now: its history stays with B2
        moved = await _import(conn, {"B2": "S-NEW", "B3": "S-OLD"})
        assert moved.sensors_mounted == 1
        assert [b for b, _, _ in await sensor_history(conn, "S-OLD")] == ["B2", "B3"]
        await _ingest(conn, [FillReading("S-OLD", later + timedelta(minutes=1), 0.2)], 30)

        r = await load_readings(conn, now - timedelta(days=1))
        by_bin: dict[str, list[float]] = {}
        for b, level in zip(r.sensor_ids, r.levels, strict=True):
            by_bin.setdefault(str(b), []).append(float(level))
        assert by_bin == {"B1": [0.3], "B2": [0.5, 0.55, 0.1], "B3": [0.2]}
        assert await bin_levels(conn) == {"B1": 0.3, "B2": 0.1, "B3": 0.2}

    with_conn(database, go)


def test_bins_never_mapped_keep_sensor_id_equal_to_bin_id(database: str) -> None:
    """Bins saved without the import (as before migration 0008) are their own sensors."""
    at = datetime.now(UTC) - timedelta(hours=1)

    async def go(conn: asyncpg.Connection) -> None:
        await save_bins(conn, BINS[:1])
        assert await known_ids(conn, "fill") == {"B1"}
        await _ingest(conn, [FillReading("B1", at, 0.4)], 0)
        r = await load_readings(conn, at - timedelta(hours=1))
        assert list(r.sensor_ids) == ["B1"] and await bin_levels(conn) == {"B1": 0.4}

    with_conn(database, go)
