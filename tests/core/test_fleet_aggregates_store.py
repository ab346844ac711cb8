"""Integration: fleet aggregates computed from stored GPS, saved, replaced and read back."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import asyncpg
import pytest

from core.db.fleet_aggregates import load_groups, load_runs, load_vehicle_days
from core.db.ingest_tables import GPS, BatchWriter
from core.db.inventory import save_sites, save_vehicles
from core.domain import Site, Vehicle, VehicleKind
from core.records import GpsFix
from fleet.aggregate_service import AggregateJob, aggregate_days
from fleet.privacy import pseudonym
from tests.cities import COPENHAGEN

pytestmark = pytest.mark.integration
DAY = date(2026, 11, 26)
T0 = datetime(2026, 11, 26, 8, tzinfo=UTC)  # 09:00 local
JOB = AggregateJob(COPENHAGEN.timezone, COPENHAGEN.districts, "k", batch_vehicles=1)


def test_a_day_is_computed_stored_replaced_and_read_back(database: str) -> None:
    """Ten minutes of driving are stored per vehicle, kind, district and hour; computing the day
    again replaces it; the unused vehicle has a row; GPS and per-vehicle reads are logged."""

    async def go() -> dict[str, object]:
        conn = await asyncpg.connect(database)
        await save_sites(conn, [Site("d", "Depot", 12.50, 55.60)], "depot")
        await save_vehicles(
            conn,
            [
                Vehicle("t1", VehicleKind.WASTE_TRUCK, "d", co2_g_per_km=1000.0),
                Vehicle("s1", VehicleKind.STREET_CLEANER, "d"),
            ],
        )
        fixes = [
            GpsFix("t1", T0 + timedelta(seconds=10 * i), 12.56, 55.68 + 0.0009 * i, 36.0, 0.0)
            for i in range(61)
        ]
        await BatchWriter(conn, GPS).write([GPS.row(f, 0, i) for i, f in enumerate(fixes)])
        first = await aggregate_days(conn, [DAY], JOB, "tester")
        again = await aggregate_days(conn, [DAY], JOB, "tester")
        out = {
            "agg": again[0],
            "same": first[0].vehicles == again[0].vehicles,
            "runs": await load_runs(conn, DAY, DAY),
            "kind": await load_groups(conn, DAY, DAY, "kind"),
            "hour": await load_groups(conn, DAY, DAY, "hour"),
            "vehicle": await load_groups(
                conn, DAY, DAY, "vehicle", actor="planner", purpose="fleet planning"
            ),
            "days": await load_vehicle_days(conn, DAY, DAY, actor="planner", purpose="p"),
            "cells": await conn.fetchval("SELECT count(*) FROM fleet_aggregates"),
            "log": [
                tuple(r)
                for r in await conn.fetch(
                    "SELECT actor, purpose, resource FROM access_log ORDER BY id"
                )
            ],
        }
        with pytest.raises(ValueError, match="actor"):
            await load_groups(conn, DAY, DAY, "vehicle")
        with pytest.raises(ValueError, match="group"):
            await load_groups(conn, DAY, DAY, "pseudonym; DROP TABLE x")
        await conn.close()
        return out

    out = asyncio.run(go())
    assert out["same"]
    runs = out["runs"]
    assert [(r.day, r.fixes, r.computed_by) for r in runs] == [(DAY, 61, "tester")]
    kinds = {r.key: r for r in out["kind"]}
    assert set(kinds) == {"garbageCollection"}  # the unused sweeper has no cells
    assert kinds["garbageCollection"].usage.driving_s == 600
    assert kinds["garbageCollection"].usage.co2_kg == pytest.approx(
        kinds["garbageCollection"].usage.km
    )
    assert [r.key for r in out["hour"]] == ["9"]
    assert [r.key for r in out["vehicle"]] == [pseudonym("k", "t1")]
    days = {v.pseudonym: v for _, v in out["days"]}
    assert days[pseudonym("k", "s1")].fixes == 0 and days[pseudonym("k", "s1")].shift_s == 8 * 3600
    assert days[pseudonym("k", "t1")].usage.driving_s == 600
    assert out["cells"] == len(out["agg"].cells)
    log = out["log"]
    assert log.count(("tester", "fleet_aggregates", "gps_fixes")) == 4  # 2 runs x 2 batches
    assert ("planner", "fleet planning", "fleet_aggregates") in log
    assert ("planner", "p", "fleet_aggregates") in log
