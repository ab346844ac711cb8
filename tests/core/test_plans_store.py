"""Integration: storing plans, serving the day's plan, drivers' stop reports and progress."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

import asyncpg
import numpy as np
import pytest

from core.db.plans import PlanNotFound, latest_plan, load_plan, route_geometries, save_plan
from core.db.readings import load_readings
from core.db.stop_reports import UnknownStop, plan_progress, report_stop, route_for_vehicle
from core.plan import DayPlan, PlanTotals, Stop, StopKind, VehicleRoute

pytestmark = pytest.mark.integration
T = TypeVar("T")
DAY = date(2024, 5, 14)
T0 = datetime(2024, 5, 14, 4, 0, tzinfo=UTC)


def run(dsn: str, fn: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
    async def go() -> T:
        conn = await asyncpg.connect(dsn)
        try:
            return await fn(conn)
        finally:
            await conn.close()

    return asyncio.run(go())


def _route(vehicle_id: str, bins: list[str]) -> VehicleRoute:
    stops = [Stop(0, StopKind.DEPOT, None, "D1", "Depot Road", 12.5, 55.7, T0, T0, 0.0, 0.0)]
    load = 0.0
    for k, b in enumerate(bins, start=1):
        load += 80.0
        eta = T0 + timedelta(minutes=10 * k)
        stops.append(
            Stop(
                k,
                StopKind.BIN,
                b,
                None,
                f"Gade {k}",
                12.55,
                55.69 + k * 1e-3,
                eta,
                eta + timedelta(minutes=1),
                load,
                load * 0.07,
            )
        )
    eta = T0 + timedelta(hours=2)
    stops.append(
        Stop(
            len(stops),
            StopKind.DISPOSAL,
            None,
            "ARC",
            "Vindmøllevej",
            12.62,
            55.68,
            eta,
            eta + timedelta(minutes=15),
            0.0,
            0.0,
        )
    )
    end = T0 + timedelta(hours=3)
    stops.append(
        Stop(len(stops), StopKind.DEPOT, None, "D1", "Depot Road", 12.5, 55.7, end, end, 0.0, 0.0)
    )
    return VehicleRoute(vehicle_id, "D1", tuple(stops), 12_345.0, 3000.0, 1200.0, 13.58, None)


def make_plan(status: str = "accepted", day: date = DAY) -> DayPlan:
    routes = (_route("T1", ["B1", "B2"]), _route("T2", ["B3"]))
    totals = PlanTotals(24.69, 6000.0, 2400.0, 3, 2, 1, 27.16, 2, 2)
    inputs: dict[str, Any] = {"network_version": "abc", "bins": [{"bin_id": "B1", "prize": 0}]}
    violations = () if status == "accepted" else ("capacity: route 0 overloaded",)
    return DayPlan(day, "pyvrp", 24690, routes, totals, inputs, status, violations, 2.0)


def test_save_then_load_round_trips(database: str) -> None:
    """A saved plan loads back equal, with its id and creation time set."""
    plan = make_plan()

    async def go(conn: asyncpg.Connection) -> tuple[int, DayPlan]:
        pid = await save_plan(conn, plan)
        return pid, await load_plan(conn, pid)

    pid, back = run(database, go)
    assert back.plan_id == pid and back.created_at is not None
    assert back == replace(plan, plan_id=pid, created_at=back.created_at)
    assert back.route_of("T1").stops[1].street == "Gade 1"


def test_route_geometry_is_stored_and_loaded(database: str) -> None:
    """A route's road geometry round-trips; a route stored without one loads with None."""
    line = ((12.5, 55.7), (12.512345, 55.701234), (12.55, 55.691))
    base = make_plan()
    plan = replace(base, routes=(replace(base.routes[0], geometry=line), base.routes[1]))

    async def go(conn: asyncpg.Connection) -> tuple[DayPlan, dict[str, Any], dict[str, Any]]:
        pid = await save_plan(conn, plan)
        return (
            await load_plan(conn, pid),
            await route_geometries(conn, pid),
            await route_geometries(conn, pid, "T2"),
        )

    back, every, t2 = run(database, go)
    assert back.route_of("T1").geometry == line and back.route_of("T2").geometry is None
    assert every == {"T1": line} and t2 == {}


def test_latest_plan_serves_newest_accepted_only(database: str) -> None:
    """latest_plan skips rejected plans and other days; PlanNotFound when a day has none."""

    async def go(conn: asyncpg.Connection) -> tuple[int, int]:
        await save_plan(conn, make_plan())
        newest = await save_plan(conn, make_plan())
        await save_plan(conn, make_plan("rejected"))
        await save_plan(conn, make_plan(day=DAY + timedelta(days=1)))
        got = await latest_plan(conn, DAY)
        assert got.plan_id is not None
        return newest, got.plan_id

    newest, got = run(database, go)
    assert got == newest
    with pytest.raises(PlanNotFound):
        run(database, lambda c: latest_plan(c, DAY - timedelta(days=1)))


def test_rejected_plan_keeps_its_violations(database: str) -> None:
    """A rejected plan is stored with status and violation messages."""

    async def go(conn: asyncpg.Connection) -> DayPlan:
        return await load_plan(conn, await save_plan(conn, make_plan("rejected")))

    back = run(database, go)
    assert back.status == "rejected"
    assert back.violations == ("capacity: route 0 overloaded",)


def test_failed_save_stores_nothing(database: str) -> None:
    """A plan whose stop breaks a constraint leaves no plan, route or stop rows behind."""
    plan = make_plan()
    bad = replace(
        plan.routes[0], stops=(*plan.routes[0].stops[:-1], replace(plan.routes[0].stops[-1], seq=1))
    )
    broken = replace(plan, routes=(bad, plan.routes[1]))

    async def go(conn: asyncpg.Connection) -> list[int]:
        with pytest.raises(asyncpg.UniqueViolationError):
            await save_plan(conn, broken)
        return [
            await conn.fetchval(f"SELECT count(*) FROM {t}")
            for t in ("plans", "plan_routes", "plan_stops")
        ]

    assert run(database, go) == [0, 0, 0]


def test_route_for_vehicle_lists_stops_in_order(database: str) -> None:
    """A truck's route comes back in stop order, all planned; unknown trucks raise UnknownStop."""

    async def go(conn: asyncpg.Connection) -> tuple[int, list[Any]]:
        pid = await save_plan(conn, make_plan())
        return pid, await route_for_vehicle(conn, pid, "T1")

    pid, stops = run(database, go)
    assert [s.stop.seq for s in stops] == [0, 1, 2, 3, 4]
    assert [s.stop.bin_id for s in stops] == [None, "B1", "B2", None, None]
    assert {s.status for s in stops} == {"planned"}
    with pytest.raises(UnknownStop):
        run(database, lambda c: route_for_vehicle(c, pid, "T9"))
    with pytest.raises(PlanNotFound):
        run(database, lambda c: route_for_vehicle(c, pid + 100, "T1"))


def test_emptied_report_updates_stop_readings_state_and_progress(database: str) -> None:
    """Emptied: stop marked, observed fill and level 0 stored as readings, bin_state 0."""
    at = T0 + timedelta(minutes=12)

    async def go(conn: asyncpg.Connection) -> tuple[Any, ...]:
        pid = await save_plan(conn, make_plan())
        await conn.execute(
            "INSERT INTO bin_state (bin_id, observed_at, filling_level) VALUES ('B1', $1, 0.7)",
            T0,
        )
        await report_stop(conn, pid, "T1", 1, "emptied", fill_observed=0.9, reported_at=at)
        await report_stop(
            conn, pid, "T1", 2, "skipped", skip_reason="blocked by a van", reported_at=at
        )
        readings = await conn.fetch(
            "SELECT observed_at, filling_level FROM fill_readings WHERE sensor_id = 'B1'"
            " ORDER BY observed_at"
        )
        state = await conn.fetchrow("SELECT observed_at, filling_level FROM bin_state")
        return (
            await route_for_vehicle(conn, pid, "T1"),
            readings,
            state,
            await plan_progress(conn, pid),
        )

    stops, readings, state, progress = run(database, go)
    assert (stops[1].status, stops[1].fill_observed, stops[1].reported_at) == ("emptied", 0.9, at)
    assert (stops[2].status, stops[2].skip_reason) == ("skipped", "blocked by a van")
    assert [(r[0], r[1]) for r in readings] == [(at - timedelta(seconds=1), 0.9), (at, 0.0)]
    assert (state[0], state[1]) == (at, 0.0)
    assert (progress.overall.emptied, progress.overall.skipped, progress.overall.planned) == (
        1,
        1,
        1,
    )
    assert progress.by_vehicle["T1"].done == 2 and progress.by_vehicle["T2"].total == 1


def test_bad_reports_are_refused(database: str) -> None:
    """Bad status or fill: ValueError; unknown stop: UnknownStop; rejected plan: PlanNotFound."""

    async def go(conn: asyncpg.Connection) -> tuple[int, int]:
        return await save_plan(conn, make_plan()), await save_plan(conn, make_plan("rejected"))

    pid, rejected = run(database, go)
    with pytest.raises(ValueError, match="status"):
        run(database, lambda c: report_stop(c, pid, "T1", 1, "done"))
    with pytest.raises(ValueError, match="fill_observed"):
        run(database, lambda c: report_stop(c, pid, "T1", 1, "emptied", fill_observed=1.5))
    with pytest.raises(ValueError, match="not a bin"):
        run(database, lambda c: report_stop(c, pid, "T1", 0, "emptied"))
    with pytest.raises(UnknownStop):
        run(database, lambda c: report_stop(c, pid, "T1", 42, "emptied"))
    with pytest.raises(UnknownStop):
        run(database, lambda c: report_stop(c, pid, "T9", 1, "emptied"))
    with pytest.raises(PlanNotFound, match="rejected"):
        run(database, lambda c: report_stop(c, rejected, "T1", 1, "emptied"))
    statuses = run(database, lambda c: c.fetch("SELECT DISTINCT status FROM plan_stops"))
    assert [r[0] for r in statuses] == ["planned"]


def test_load_readings_returns_window_as_arrays(database: str) -> None:
    """Readings in [since, until) come back as sensor, epoch-second and level columns."""

    async def go(conn: asyncpg.Connection) -> Any:
        await conn.executemany(
            "INSERT INTO fill_readings (sensor_id, observed_at, filling_level, src_partition,"
            " src_offset) VALUES ($1, $2, $3, 0, $4)",
            [
                (s, T0 + timedelta(hours=h), 0.1 * h, k)
                for k, (s, h) in enumerate([("B2", 1), ("B1", 2), ("B1", 1), ("B1", 5)])
            ],
        )
        return await load_readings(conn, T0 + timedelta(hours=1), T0 + timedelta(hours=5))

    r = run(database, go)
    assert r.sensor_ids.tolist() == ["B1", "B1", "B2"]
    np.testing.assert_allclose(r.utc_seconds - T0.timestamp(), [3600, 7200, 3600])
    np.testing.assert_allclose(r.levels, [0.1, 0.2, 0.1])
