"""Integration: retention at the boundary of its window, for every kind of drivers' positions.

With a 30-day window at 2026-11-27 12:00 UTC the last day inside the window is 2026-10-28: its
data is kept; 2026-10-27, the first day outside it, is deleted."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime, timedelta

import asyncpg
import pytest

from core.db.__main__ import _retention
from core.db.access_log import log_access
from core.db.ingest_tables import GPS, BatchWriter
from core.db.plans import load_plan, save_plan
from core.db.retention import first_kept_day, run_retention, run_retention_exclusive
from core.plan import DayPlan, PlanTotals, Stop, StopKind, VehicleRoute
from core.records import GpsFix

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
DAYS = 30
INSIDE = date(2026, 10, 28)  # the last day inside the window
OUTSIDE = date(2026, 10, 27)  # the first day outside it
MIDNIGHT = datetime(2026, 10, 28, tzinfo=UTC)


def test_first_kept_day_is_the_window_in_whole_utc_days() -> None:
    assert first_kept_day(NOW, DAYS) == INSIDE
    assert first_kept_day(datetime(2026, 11, 27, 0, 0, tzinfo=UTC), DAYS) == INSIDE
    with pytest.raises(ValueError):
        first_kept_day(NOW, 0)


def _replan(day: date, vehicle_id: str) -> DayPlan:
    """A re-plan whose truck started at its GPS fix (the start stop and the road geometry
    begin there), then one bin, then its depot."""
    t0 = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=10)
    gps = (12.5912, 55.6801)
    depot = (12.55, 55.66)

    def stop(seq: int, kind: StopKind, where: tuple[float, float], street: str) -> Stop:
        bin_id = "bin-1" if kind is StopKind.BIN else None
        site_id = None if bin_id else (f"{vehicle_id}:start" if seq == 0 else "depot-1")
        t = t0 + timedelta(minutes=10 * seq)
        return Stop(seq, kind, bin_id, site_id, street, *where, t, t, 0.0, 0.0)

    stops = (
        stop(0, StopKind.DEPOT, gps, "Where The Truck Was"),
        stop(1, StopKind.BIN, (12.57, 55.67), "Bin Street"),
        stop(2, StopKind.DEPOT, depot, "Depot Road"),
    )
    route = VehicleRoute(
        vehicle_id, "depot-1", stops, 1000.0, 600.0, 60.0, 1.0, None, (gps, (12.57, 55.67), depot)
    )
    start = {
        "vehicle_id": vehicle_id,
        "lon": gps[0],
        "lat": gps[1],
        "source": "gps",
        "fix_at": (t0 - timedelta(minutes=1)).isoformat(),
        "load_l": 120.0,
        "load_kg": 12.0,
    }
    inputs = {"replan_of": 1, "replanned_at": t0.isoformat(), "truck_starts": [start]}
    totals = PlanTotals(1.0, 600.0, 60.0, 1, 0, 0, 1.0, 1, 0)
    return DayPlan(day, "test", 1, (route,), totals, inputs)


async def _seed(conn: asyncpg.Connection) -> tuple[int, int]:
    await BatchWriter(conn, GPS).write(
        [
            GPS.row(GpsFix("truck-a", t, 12.56, 55.69, 20.0, 90.0), 0, i)
            for i, t in enumerate(
                [
                    MIDNIGHT + timedelta(seconds=1),  # kept
                    MIDNIGHT + timedelta(hours=23),  # kept
                    MIDNIGHT - timedelta(seconds=1),  # deleted
                    MIDNIGHT - timedelta(hours=23),  # deleted
                ]
            )
        ]
    )
    await conn.executemany(
        "INSERT INTO vehicle_state VALUES ($1, $2, 12.56, 55.69, 0, 0)",
        [("kept-truck", MIDNIGHT), ("gone-truck", MIDNIGHT - timedelta(seconds=1))],
    )
    kept = await save_plan(conn, _replan(INSIDE, "truck-a"))
    scrubbed = await save_plan(conn, _replan(OUTSIDE, "truck-a"))
    return kept, scrubbed


def test_retention_keeps_the_last_day_inside_and_deletes_the_first_day_outside(
    database: str,
) -> None:
    """Raw GPS, live positions and re-plans' truck positions: 10-28 kept, 10-27 gone."""

    async def go():  # type: ignore[no-untyped-def]
        conn = await asyncpg.connect(database)
        try:
            kept_id, gone_id = await _seed(conn)
            report = await run_retention(conn, NOW, DAYS)
            again = await run_retention(conn, NOW, DAYS)  # idempotent
            fixes = await conn.fetch("SELECT observed_at FROM gps_fixes ORDER BY observed_at")
            state = await conn.fetch("SELECT vehicle_id FROM vehicle_state")
            kept, gone = await load_plan(conn, kept_id), await load_plan(conn, gone_id)
            raw = await conn.fetchval("SELECT inputs::text FROM plans WHERE plan_id = $1", gone_id)
            return report, again, fixes, state, kept, gone, raw
        finally:
            await conn.close()

    report, again, fixes, state, kept, gone, raw = asyncio.run(go())
    assert report.first_kept_day == INSIDE
    assert report.gps_partitions_dropped == ("gps_fixes_20261027",)
    assert [f["observed_at"] for f in fixes] == [
        MIDNIGHT + timedelta(seconds=1),
        MIDNIGHT + timedelta(hours=23),
    ]
    # truck-a's live position is its 10-28 23:00 fix (the ingest keeps vehicle_state)
    assert report.positions_deleted == 1
    assert sorted(r["vehicle_id"] for r in state) == ["kept-truck", "truck-a"]
    assert report.replans_scrubbed == 1
    assert (again.gps_partitions_dropped, again.positions_deleted, again.replans_scrubbed) == (
        (),
        0,
        0,
    )

    # The re-plan inside the window is untouched.
    k = kept.routes[0]
    assert kept.inputs["truck_starts"][0]["lon"] == 12.5912
    assert (k.stops[0].lon, k.stops[0].lat, k.stops[0].street) == (
        12.5912,
        55.6801,
        "Where The Truck Was",
    )
    assert k.geometry is not None and k.geometry[0] == (12.5912, 55.6801)

    # The one outside: no position, no fix time, start moved onto the depot, no road geometry;
    # the rest of the plan stays.
    g = gone.routes[0]
    assert gone.inputs["truck_starts"] == [
        {"vehicle_id": "truck-a", "source": "gps", "load_l": 120.0, "load_kg": 12.0}
    ]
    assert "12.5912" not in raw and "55.6801" not in raw
    assert (g.stops[0].lon, g.stops[0].lat, g.stops[0].street) == (12.55, 55.66, "Depot Road")
    assert g.geometry is None
    assert [s.bin_id for s in g.stops] == [None, "bin-1", None]
    assert gone.totals == kept.totals and gone.inputs["replan_of"] == 1


def test_proof_of_service_details_follow_the_same_boundary(database: str) -> None:
    """A plan of the last day inside the window keeps its per-bin details; the next day's run,
    which puts the plan's day outside, deletes them."""
    from tests.core.test_adherence_store import _stored
    from tests.fleet.test_adherence import T0

    inside_now = datetime.combine(T0.date() + timedelta(days=DAYS), datetime.min.time(), UTC)

    async def go() -> tuple[int, int, int]:
        conn = await asyncpg.connect(database)
        try:
            await _stored(conn)
            kept = await run_retention(conn, inside_now + timedelta(hours=23), DAYS)
            visits = int(await conn.fetchval("SELECT count(*) FROM adherence_visits"))
            gone = await run_retention(conn, inside_now + timedelta(days=1), DAYS)
            return kept.adherence_plans_scrubbed, visits, gone.adherence_plans_scrubbed
        finally:
            await conn.close()

    kept, visits, gone = asyncio.run(go())
    assert (kept, gone) == (0, 1) and visits > 0


def test_a_second_concurrent_run_skips(database: str) -> None:
    """Under the advisory lock a second session's run does nothing and says so (None)."""

    async def go() -> tuple[object, object]:
        a, b = await asyncpg.connect(database), await asyncpg.connect(database)
        try:
            await a.execute("SELECT pg_advisory_lock(7301011)")
            skipped = await run_retention_exclusive(b, NOW, DAYS)
            await a.execute("SELECT pg_advisory_unlock(7301011)")
            ran = await run_retention_exclusive(b, NOW, DAYS)
            return skipped, ran
        finally:
            await a.close()
            await b.close()

    skipped, ran = asyncio.run(go())
    assert skipped is None and ran is not None


def test_city_db_retention_purges_the_access_log_only_when_configured(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without CITYOPS_ACCESS_LOG_RETENTION_DAYS the access log is kept; with 30 days, the
    `city-db retention` run deletes rows older than that and keeps the newer ones."""

    async def rows() -> list[str]:
        conn = await asyncpg.connect(database)
        try:
            return [r["purpose"] for r in await conn.fetch("SELECT purpose FROM access_log")]
        finally:
            await conn.close()

    async def seed() -> None:
        conn = await asyncpg.connect(database)
        try:
            for purpose, age in (("old read", 40), ("recent read", 5)):
                await log_access(conn, "planner", purpose, "vehicle_state")
                async with conn.transaction():
                    await conn.execute("SELECT set_config('cityops.retention', 'on', true)")
                    await conn.execute(
                        "UPDATE access_log SET at = $1 WHERE purpose = $2",
                        NOW - timedelta(days=age),
                        purpose,
                    )
        finally:
            await conn.close()

    asyncio.run(seed())
    asyncio.run(_retention(database, DAYS, 400, None, now=NOW))
    kept = asyncio.run(rows())
    assert {"old read", "recent read"} <= set(kept)
    asyncio.run(_retention(database, DAYS, 400, 30, now=NOW))
    left = asyncio.run(rows())
    assert "recent read" in left and "old read" not in left
    assert "access-log rows deleted (older than 30 days): " in capsys.readouterr().out


def test_plan_inputs_round_trip_as_json(database: str) -> None:
    """The scrubbed inputs stay valid JSON objects (jsonb_set never produced NULL)."""

    async def go() -> list[str]:
        conn = await asyncpg.connect(database)
        try:
            await save_plan(conn, _replan(OUTSIDE, "truck-b"))
            await run_retention(conn, NOW, DAYS)
            return [r["i"] for r in await conn.fetch("SELECT inputs::text AS i FROM plans")]
        finally:
            await conn.close()

    (inputs,) = asyncio.run(go())
    assert json.loads(inputs)["truck_starts"][0]["vehicle_id"] == "truck-b"


def test_fleet_aggregates_follow_their_own_longer_window(database: str) -> None:
    """Fleet aggregates (pseudonymised hours per district) are kept ``aggregate_days``: the last
    day inside that window stays, the first day outside goes with its per-pseudonym rows."""

    async def go() -> tuple[int, list[date], int]:
        conn = await asyncpg.connect(database)
        try:
            inside, outside = date(2025, 10, 23), date(2025, 10, 22)  # 400 days before NOW
            for day in (inside, outside):
                await conn.execute(
                    "INSERT INTO fleet_aggregate_runs (day, timezone, computed_at, computed_by,"
                    " fixes, params) VALUES ($1, 'UTC', now(), 'test', 0, '{}'::jsonb)",
                    day,
                )
                await conn.execute(
                    "INSERT INTO fleet_vehicle_days VALUES ($1, 'p-1', 'waste_truck', 0,"
                    " 1, 1, 1, 1, 1, 1, 1, 1)",
                    day,
                )
            report = await run_retention(conn, NOW, DAYS, aggregate_days=400)
            days = [r["day"] for r in await conn.fetch("SELECT day FROM fleet_aggregate_runs")]
            rows = int(await conn.fetchval("SELECT count(*) FROM fleet_vehicle_days"))
            return report.fleet_days_deleted, days, rows
        finally:
            await conn.close()

    assert first_kept_day(NOW, 400) == date(2025, 10, 23)
    deleted, days, rows = asyncio.run(go())
    assert deleted == 1 and days == [date(2025, 10, 23)] and rows == 1
