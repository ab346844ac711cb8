"""Integration (real PostgreSQL): the optional battery field from the wire to the tables, forecast
runs with predicted-full times, what the alerts read, and the alerts computed from a database with
known answers."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

import asyncpg
import orjson
import pytest

from core.db.alerts import last_sensor_readings, planned_visits, recorded_emptyings, sensor_series
from core.db.forecasts import (
    StoredForecast,
    forecast_run_of_plan,
    link_forecast_run,
    load_forecast_run,
    save_forecast_run,
)
from core.db.ingest_tables import FILL, BatchWriter
from core.db.inventory import save_bins, save_sites, save_vehicles
from core.db.plans import save_plan
from core.db.readings import load_readings
from core.db.stop_reports import report_stop
from core.domain import Bin, Site, Vehicle, VehicleKind
from core.plan import DayPlan, PlanTotals, Stop, StopKind, VehicleRoute
from core.records import ContractError, FillReading, decode_fill, encode
from fleet.alerts.service import compute_alerts
from fleet.alerts.types import AlertKind, AlertParams
from forecasting.forecast import ForecastParams, forecast_arrays, forecast_fleet
from tests.cities import COPENHAGEN_TZ

pytestmark = pytest.mark.integration
T = TypeVar("T")
NOW = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)  # Wednesday, 13:00 in Copenhagen
TODAY = date(2025, 3, 5)
DEPOT = Site("d1", "Depot", 12.55, 55.68)


def run(dsn: str, fn: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
    async def go() -> T:
        conn = await asyncpg.connect(dsn)
        try:
            return await fn(conn)
        finally:
            await conn.close()

    return asyncio.run(go())


def _plan(day: date, bins: list[tuple[str, datetime]], status: str = "accepted") -> DayPlan:
    t0 = datetime(day.year, day.month, day.day, 5, tzinfo=UTC)
    stops = [Stop(0, StopKind.DEPOT, None, "d1", "", 12.55, 55.68, t0, t0, 0.0, 0.0)]
    stops += [
        Stop(k, StopKind.BIN, b, None, "Vej", 12.56, 55.68, eta, eta, 10.0, 1.0)
        for k, (b, eta) in enumerate(bins, start=1)
    ]
    end = t0 + timedelta(hours=9)
    stops.append(Stop(len(stops), StopKind.DEPOT, None, "d1", "", 12.55, 55.68, end, end, 0, 0))
    route = VehicleRoute("truck-1", "d1", tuple(stops), 1000.0, 600.0, 60.0, 1.0)
    totals = PlanTotals(1.0, 600.0, 60.0, len(bins), 0, 0, 1.0, 1, 0)
    violations = () if status == "accepted" else ("capacity: made up",)
    return DayPlan(day, "test", 1, (route,), totals, {}, status, violations)


# --- the battery field ----------------------------------------------------------------------


def test_battery_level_is_optional_on_the_wire_and_checked() -> None:
    """Old messages (no batteryLevel) still decode; a reported one round-trips; out of range is
    refused with a reason."""
    plain = FillReading("b1", NOW, 0.4, 9.0)
    assert "batteryLevel" not in plain.to_wire() and decode_fill(encode(plain)).battery is None
    assert decode_fill(encode(FillReading("b1", NOW, 0.4, None, 0.37))).battery == 0.37
    wire = {**plain.to_wire(), "batteryLevel": 1.4}
    with pytest.raises(ContractError) as e:
        decode_fill(orjson.dumps(wire))
    assert e.value.reason == "out_of_range"


def test_battery_level_is_stored_in_history_and_state(database: str) -> None:
    async def go(conn: asyncpg.Connection) -> tuple[list[object], object]:
        rs = [
            FillReading("b1", NOW - timedelta(hours=1), 0.4, 8.0, 0.5),
            FillReading("b1", NOW, 0.45, 8.0, 0.12),
            FillReading("b2", NOW, 0.3),  # a sensor that does not report its battery
        ]
        result = await BatchWriter(conn, FILL).write([FILL.row(r, 0, i) for i, r in enumerate(rs)])
        assert result.stored == [0, 1, 2]
        history = await conn.fetch(
            "SELECT battery_level FROM fill_readings ORDER BY sensor_id, observed_at"
        )
        state = await conn.fetchval("SELECT battery_level FROM bin_state WHERE bin_id = 'b1'")
        return [r[0] for r in history], state

    assert run(database, go) == ([0.5, 0.12, None], 0.12)


# --- forecast runs ----------------------------------------------------------------------------


def test_a_forecast_run_keeps_every_bins_predicted_full_time(database: str) -> None:
    """b1 rises 2 %/h to 0.68 now (full at 0.8 in about 6 h); b2 has no readings."""
    bins = [Bin("b1", 12.56, 55.68, "Vej", ""), Bin("b2", 12.57, 55.68, "Vej", "")]
    rs = [FillReading("b1", NOW - timedelta(hours=24 - k), 0.2 + 0.02 * k) for k in range(25)]
    fc = forecast_fleet(bins, rs, ForecastParams(COPENHAGEN_TZ))

    async def go(conn: asyncpg.Connection) -> tuple[int, int | None, dict[str, StoredForecast]]:
        await save_sites(conn, [DEPOT], "depot")
        run_id = await save_forecast_run(conn, fc, TODAY, NOW, {"tz": COPENHAGEN_TZ})
        plan_id = await save_plan(conn, _plan(TODAY, []))
        await link_forecast_run(conn, run_id, plan_id)
        assert await forecast_run_of_plan(conn, plan_id + 1) is None
        return (
            run_id,
            await forecast_run_of_plan(conn, plan_id),
            await load_forecast_run(conn, run_id),
        )

    run_id, linked, stored = run(database, go)
    assert linked == run_id and sorted(stored) == ["b1", "b2"]
    b1, b2 = stored["b1"], stored["b2"]
    assert b1.predicted_full_at == fc["b1"].full_at and b1.predicted_full_at is not None
    assert NOW + timedelta(hours=4) < b1.predicted_full_at < NOW + timedelta(hours=9)
    assert b1.method == "bin_history" and b1.level_now == pytest.approx(fc["b1"].level_now)
    assert b2.predicted_full_at is None and b2.method == "no_data" and b2.level_now is None


# --- what the alerts read, and the alerts ---------------------------------------------------


async def _city(conn: asyncpg.Connection) -> dict[str, int]:
    """Bins b1..b7, one truck starting at 06:00 local, readings and plans:

    * b1 silent: last sensor reading 10 h ago (a driver's report 1 h ago is no sensor reading);
    * b2 low battery (0.08) on time;
    * b3 stuck at 0.3 for 30 h while the others fill 1 %/h;
    * b4 drops 0.7 → 0.1 an hour ago with no emptying recorded;
    * b5 drops likewise, emptied by a driver's report (today's plan) in between;
    * b6 fills fast and is planned for 17:00 UTC (the newest accepted plan of today);
    * b7 is in an older plan of today only, and in a rejected plan of tomorrow.
    """
    bins = [Bin(f"b{i}", 12.55 + i / 1000, 55.68, f"Vej {i}", "Indre By") for i in range(1, 8)]
    await save_bins(conn, bins)
    await save_sites(conn, [DEPOT], "depot")
    await save_vehicles(conn, [Vehicle("truck-1", VehicleKind.WASTE_TRUCK, "d1", 8000)])
    rs: list[FillReading] = []
    for h in range(31):
        t = NOW - timedelta(hours=30 - h)
        rs.append(FillReading("b3", t, 0.3))
        for b in ("b2", "b6", "b7"):
            rs.append(FillReading(b, t, 0.1 + 0.01 * h, battery=0.08 if b == "b2" else 0.9))
        if h <= 20:
            rs.append(FillReading("b1", t, 0.1 + 0.01 * h))
        for b in ("b4", "b5"):
            rs.append(FillReading(b, t, 0.1 if h == 30 else 0.4 + 0.01 * h))
    await BatchWriter(conn, FILL).write([FILL.row(r, 1, i) for i, r in enumerate(rs)])
    older = await save_plan(conn, _plan(TODAY, [("b7", NOW + timedelta(hours=2))]))
    today = await save_plan(
        conn,
        _plan(TODAY, [("b5", NOW - timedelta(hours=1)), ("b6", NOW + timedelta(hours=5))]),
    )
    await save_plan(conn, _plan(TODAY + timedelta(days=1), [("b7", NOW)], "rejected"))
    await save_plan(conn, _plan(TODAY - timedelta(days=1), [("b7", NOW)]))
    await report_stop(
        conn, today, "truck-1", 1, "emptied", 0.7, reported_at=NOW - timedelta(minutes=30)
    )
    await conn.execute(
        "INSERT INTO fill_readings (sensor_id, observed_at, filling_level, src_partition,"
        " src_offset) VALUES ('b1', $1, 0.5, -1, -1)",
        NOW - timedelta(hours=1),
    )
    return {"older": older, "today": today}


def test_alert_reads_sensor_readings_emptyings_and_planned_visits(database: str) -> None:
    async def go(conn: asyncpg.Connection) -> None:
        ids = await _city(conn)
        series = await sensor_series(conn, NOW - timedelta(hours=48), NOW)
        assert series["b1"].at(-1) == NOW - timedelta(hours=10)  # not the driver's report
        assert series["b2"].battery[-1] == 0.08 and len(series["b3"]) == 31
        assert series["b3"].level.tolist() == [0.3] * 31
        last = await last_sensor_readings(conn)
        assert last["b1"] == NOW - timedelta(hours=10) and last["b6"] == NOW
        emptied = await recorded_emptyings(conn, NOW - timedelta(days=1))
        assert emptied == {"b5": [NOW - timedelta(minutes=30)]}
        visits, days = await planned_visits(conn, TODAY)
        assert days == {TODAY}  # tomorrow's plan was rejected; yesterday's is past
        assert [(v.bin_id, v.plan_id, v.eta) for v in visits] == [
            ("b6", ids["today"], NOW + timedelta(hours=5))
        ]  # b5 is emptied already; b7 is only in the older plan

    run(database, go)


def test_alerts_from_the_database_have_known_answers(database: str) -> None:
    """Each bin raises exactly the alert its story calls for, with the evidence behind it."""
    params = ForecastParams(COPENHAGEN_TZ)

    async def go(conn: asyncpg.Connection) -> list[tuple[str, str]]:
        await _city(conn)
        bins = [Bin(f"b{i}", 12.55 + i / 1000, 55.68, f"Vej {i}", "Indre By") for i in range(1, 8)]
        r = await load_readings(conn, NOW - timedelta(hours=72), NOW)
        fc = forecast_arrays(bins, r.sensor_ids, r.utc_seconds, r.levels, params)
        # b6 is predicted full at 15:00 UTC, before its visit at 17:00
        fc["b6"] = replace(fc["b6"], full_at=NOW + timedelta(hours=3))
        found = await compute_alerts(conn, fc, now=NOW, tz=COPENHAGEN_TZ, params=AlertParams())
        by = {(a.bin_id, a.kind.value): a for a in found}
        b6 = by[("b6", "overflow_before_visit")]
        assert b6.evidence["visit_at"] == NOW + timedelta(hours=5) and b6.evidence["planned"]
        b1 = by[("b1", "silent_sensor")]
        assert b1.evidence["last_reading_at"] == NOW - timedelta(hours=10)
        assert by[("b2", "low_battery")].evidence["battery"] == 0.08
        assert by[("b3", "stuck_sensor")].evidence["hours"] == 30.0
        assert by[("b4", "implausible_jump")].evidence["direction"] == "drop"
        assert found[0].kind is AlertKind.OVERFLOW
        return sorted(by)

    keys = run(database, go)
    assert [k for k in keys if k[1] != "overflow_before_visit"] == [
        ("b1", "silent_sensor"),
        ("b2", "low_battery"),
        ("b3", "stuck_sensor"),
        ("b4", "implausible_jump"),
    ]
