"""Integration: computing a stored plan's proof of service from the GPS fixes in gps_fixes."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import pytest

from core.db.ingest_tables import GPS, BatchWriter
from core.db.inventory import save_bins
from core.db.plans import PlanNotFound, save_plan
from core.db.stop_reports import report_stop
from core.domain import Bin
from core.plan import DayPlan, PlanTotals
from core.records import GpsFix
from fleet.adherence_service import PURPOSE, compute_adherence, gps_window
from fleet.adherence_types import AdherenceParams, Outcome
from tests.core.test_adherence_store import sited
from tests.fleet.test_adherence import STREET, T0, Drive, at, route
from tests.routing.planning.test_plan_service import fetch

pytestmark = pytest.mark.integration
TZ = "Europe/Copenhagen"
END_OF_DAY = T0 + timedelta(hours=12)


def _plan(status: str = "accepted") -> DayPlan:
    """truck-1 has two bins on the street, b1 then b2; the plan says its time zone."""
    totals = PlanTotals(1.0, 300.0, 120.0, 2, 0, 0, 1.1, 1, 1)
    inputs = {"day_config": {"tz": TZ}}
    violations = () if status == "accepted" else ("capacity: overloaded",)
    return DayPlan(
        T0.date(), "test", 1, (sited(route(STREET[:2])),), totals, inputs, status, violations
    )


def _fixes() -> list[GpsFix]:
    """truck-1 stands 30 s at b1 and drives past b2; a sweeper stands at b2 all the while."""
    tr = Drive().to(200.0, 0.0).stand(30.0).to(1000.0, 0.0).trace()
    out = [
        GpsFix("truck-1", datetime.fromtimestamp(t, T0.tzinfo), lon, lat, v, 90.0)
        for t, lon, lat, v in zip(tr.t_s, tr.lon, tr.lat, tr.speed_kmh, strict=True)
    ]
    b2 = at(400.0, 10.0)
    out += [GpsFix("sweeper-1", T0 + timedelta(seconds=5 * k), *b2, 0.0, 0.0) for k in range(20)]
    return out


async def _seed(conn: asyncpg.Connection, plan: DayPlan | None = None) -> int:
    await save_bins(conn, [Bin(b, *at(e, n), "Vej", "") for b, e, n in STREET])
    fixes = _fixes()
    await BatchWriter(conn, GPS).write([GPS.row(f, 0, i) for i, f in enumerate(fixes)])
    return await save_plan(conn, plan or _plan())


def test_one_served_one_missed_is_stored_and_the_gps_read_logged(database: str) -> None:
    """b1 (30 s stop) served, b2 (driven past) missed: rows stored, the GPS read logged once."""

    async def go(conn: asyncpg.Connection) -> Any:
        pid = await _seed(conn)
        await report_stop(conn, pid, "truck-1", 1, "emptied", reported_at=T0 + timedelta(hours=1))
        result = await compute_adherence(conn, pid, actor="city-day", now=END_OF_DAY)
        visits = await conn.fetch(
            "SELECT bin_id, outcome, served_at, in_sequence, disagreement, not_visited_rank"
            " FROM adherence_visits WHERE plan_id = $1 ORDER BY pos",
            pid,
        )
        head = await conn.fetchrow("SELECT * FROM plan_adherence WHERE plan_id = $1", pid)
        log = await conn.fetch("SELECT actor, purpose, resource, detail FROM access_log")
        return pid, result, visits, head, log

    pid, result, visits, head, log = fetch(database, go)
    assert [(v.bin_id, v.outcome) for v in result.visits()] == [
        ("b1", Outcome.SERVED),
        ("b2", Outcome.MISSED),
    ]
    assert [v.bin_id for v in result.not_visited] == ["b2"]
    assert [tuple(r)[:2] for r in visits] == [("b1", "served"), ("b2", "missed")]
    assert visits[0]["served_at"] is not None and visits[0]["in_sequence"] is True
    assert visits[0]["disagreement"] is None  # reported emptied, and served
    assert visits[1]["served_at"] is None and visits[1]["not_visited_rank"] == 0
    assert head["computed_by"] == "city-day" and head["computed_at"] == END_OF_DAY
    assert head["gps_until"] == END_OF_DAY
    assert [tuple(r)[:3] for r in log] == [("city-day", PURPOSE, "gps_fixes")]
    assert '"vehicles": 1' in log[0]["detail"]


def test_during_the_day_the_read_stops_at_now(database: str) -> None:
    """Computed before truck-1 reaches b1, both bins are not visited yet and GPS ends at now."""

    async def go(_: asyncpg.Connection) -> Any:
        pool = await asyncpg.create_pool(database, min_size=1, max_size=2)
        try:
            async with pool.acquire() as conn:
                pid = await _seed(conn)
            early = T0 + timedelta(seconds=10)
            params = AdherenceParams(match_radius_m=25.0)
            r = await compute_adherence(pool, pid, actor="planner", params=params, now=early)
            until = await pool.fetchval("SELECT gps_until FROM plan_adherence")
            return r, until, early
        finally:
            await pool.close()

    result, until, early = fetch(database, go)
    assert [v.bin_id for v in result.not_visited] == ["b1", "b2"]
    assert result.params.match_radius_m == 25.0 and until == early


def test_bad_requests_are_refused_before_reading_gps(database: str) -> None:
    """Unknown/rejected plans, early or naive times, no actor: refused, no GPS read logged."""

    async def go(conn: asyncpg.Connection) -> int:
        pid = await _seed(conn)
        rejected = await save_plan(conn, _plan("rejected"))
        with pytest.raises(PlanNotFound):
            await compute_adherence(conn, pid + 99, actor="planner", now=END_OF_DAY)
        with pytest.raises(ValueError, match="rejected"):
            await compute_adherence(conn, rejected, actor="planner", now=END_OF_DAY)
        with pytest.raises(ValueError, match="begins"):
            await compute_adherence(conn, pid, actor="planner", now=T0 - timedelta(days=1))
        with pytest.raises(ValueError, match="timezone"):
            await compute_adherence(conn, pid, actor="planner", now=END_OF_DAY.replace(tzinfo=None))
        with pytest.raises(ValueError, match="actor"):
            await compute_adherence(conn, pid, actor="", now=END_OF_DAY)
        return int(await conn.fetchval("SELECT count(*) FROM access_log"))

    assert fetch(database, go) == 0


def test_the_window_is_the_plans_local_day_widened_to_its_routes() -> None:
    """The plan's local day (UTC without a zone), widened by a route past midnight."""
    since, until = gps_window(_plan())
    assert since.isoformat() == "2025-03-03T00:00:00+01:00"
    assert until.isoformat() == "2025-03-04T00:00:00+01:00"
    plan = _plan()
    late = replace(
        plan,
        routes=(
            replace(
                plan.routes[0],
                stops=plan.routes[0].stops[:-1]
                + (replace(plan.routes[0].stops[-1], eta=until + timedelta(hours=1)),),
            ),
        ),
    )
    assert gps_window(late)[1] == until + timedelta(hours=1, seconds=1)
    assert gps_window(replace(plan, inputs={}))[0].isoformat() == "2025-03-03T00:00:00+00:00"
