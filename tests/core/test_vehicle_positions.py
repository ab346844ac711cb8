"""Integration: live vehicle positions are read only with an actor and a purpose, and logged."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from core.db.ingest_tables import GPS, BatchWriter
from core.db.inventory import save_sites, save_vehicles
from core.db.vehicle_state import latest_positions
from core.domain import Site, Vehicle, VehicleKind
from core.records import GpsFix
from core.tracking import VehicleFix

pytestmark = pytest.mark.integration
T0 = datetime(2026, 11, 26, 7, tzinfo=UTC)


def test_latest_positions_filter_refuse_and_log(database: str) -> None:
    """Reads filter by vehicles or kind, each leaves one access_log row; no actor: ValueError."""
    trucks = [Vehicle(f"t{i}", VehicleKind.WASTE_TRUCK, "d") for i in range(2)]
    other = Vehicle("c0", VehicleKind.STREET_CLEANER, "d")

    async def go() -> tuple[list[dict[str, VehicleFix]], list[tuple[str, ...]]]:
        conn = await asyncpg.connect(database)
        try:
            await save_sites(conn, [Site("d", "Depot", 12.5, 55.7)], "depot")
            await save_vehicles(conn, [*trucks, other])
            fixes = [
                GpsFix(v.vehicle_id, T0 + timedelta(seconds=k), 12.56, 55.69, 20.0 + k, 0.0)
                for k in range(2)
                for v in (*trucks, other)
            ]
            await BatchWriter(conn, GPS).write([GPS.row(f, 0, i) for i, f in enumerate(fixes)])
            for actor, purpose in (("", "replan"), ("planner", " ")):
                with pytest.raises(ValueError):
                    await latest_positions(conn, actor, purpose)
            got = [
                await latest_positions(conn, "planner", "live operations view"),
                await latest_positions(conn, "svc", "replan", kind=VehicleKind.WASTE_TRUCK),
                await latest_positions(conn, "svc", "replan", vehicle_ids={"c0", "t1", "x"}),
            ]
            log = await conn.fetch("SELECT actor, purpose, resource FROM access_log ORDER BY id")
            return got, [tuple(r) for r in log]
        finally:
            await conn.close()

    (every, by_kind, by_id), log = asyncio.run(go())
    assert list(every) == ["c0", "t0", "t1"]
    assert every["t0"] == VehicleFix("t0", T0 + timedelta(seconds=1), 12.56, 55.69, 21.0)
    assert list(by_kind) == ["t0", "t1"] and list(by_id) == ["c0", "t1"]
    assert log == [
        ("planner", "live operations view", "vehicle_state"),
        ("svc", "replan", "vehicle_state"),
        ("svc", "replan", "vehicle_state"),
    ]
