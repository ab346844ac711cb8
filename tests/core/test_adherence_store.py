"""Integration: storing a plan's proof of service, replacing it, and reading it back (logged)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import asyncpg
import pytest

from core.db.adherence import (
    AdherenceNotFound,
    load_adherence,
    load_not_visited,
    save_adherence,
)
from core.db.plans import PlanNotFound, save_plan
from core.plan import DayPlan, PlanTotals, VehicleRoute
from fleet.adherence import plan_adherence
from fleet.adherence_types import (
    AdherenceParams,
    AdherenceRun,
    DriverReport,
    Outcome,
    PlanAdherence,
    ReportStatus,
)
from tests.core.test_plans_store import run
from tests.fleet.test_adherence import T0, at, route, serve_street

pytestmark = pytest.mark.integration


def sited(r: VehicleRoute) -> VehicleRoute:
    """The route with a site id on its depot and disposal stops, as the plans table wants."""
    stops = tuple(s if s.bin_id else replace(s, site_id=f"{s.kind}-1") for s in r.stops)
    return replace(r, stops=stops)


def _plan() -> DayPlan:
    """truck-1 drives the four-bin street, truck-2 has one bin of its own."""
    routes = (sited(route()), sited(route([("b9", 300.0, 300.0)], vehicle_id="truck-2")))
    totals = PlanTotals(2.0, 600.0, 300.0, 5, 0, 0, 2.2, 2, 2)
    return DayPlan(T0.date(), "test", 1, routes, totals)


def _result(plan: DayPlan) -> PlanAdherence:
    """truck-1 serves b1, b3, b2 (b3 out of sequence), skips b4 and empties the unplanned x1
    off its route; truck-2 never moves."""
    trace = serve_street([200.0, 600.0, 400.0]).to(1200.0, 400.0).stand(30.0).trace()
    reports = [DriverReport("b4", ReportStatus.EMPTIED, T0, "truck-1")]
    params = AdherenceParams(shift_end=T0 + timedelta(hours=8))
    return plan_adherence(plan, {"truck-1": trace}, params, reports, {"x1": at(1200.0, 405.0)})


async def _stored(conn: asyncpg.Connection) -> tuple[int, PlanAdherence]:
    pid = await save_plan(conn, _plan())
    result = _result(replace(_plan(), plan_id=pid))
    run_ = AdherenceRun(pid, T0 + timedelta(hours=9), T0 + timedelta(hours=8), "planner")
    await save_adherence(conn, result, run_)
    return pid, result


def test_save_then_load_round_trips_and_logs_the_read(database: str) -> None:
    """A stored result loads back equal, with its run, and the read leaves one access_log row."""

    async def go(conn: asyncpg.Connection):  # type: ignore[no-untyped-def]
        pid, result = await _stored(conn)
        got = await load_adherence(conn, pid, actor="planner", purpose="review")
        log = await conn.fetch("SELECT actor, purpose, resource, detail FROM access_log")
        return pid, result, got, log

    pid, result, (run_, back), log = run(database, go)
    assert back == result
    assert run_ == AdherenceRun(pid, T0 + timedelta(hours=9), T0 + timedelta(hours=8), "planner")
    t1 = back.trucks[0]
    outcomes = [Outcome.SERVED] * 3 + [Outcome.MISSED, Outcome.UNPLANNED]
    assert [v.outcome for v in t1.visits] == outcomes
    assert t1.out_of_sequence_bins == ("b3",) and t1.off_route_lines
    assert [v.bin_id for v in back.not_visited] == ["b9", "b4"]
    assert [tuple(r)[:3] for r in log] == [("planner", "review", "plan_adherence")]
    assert f'"plan_id": {pid}' in log[0]["detail"]


def test_saving_again_replaces_the_previous_result(database: str) -> None:
    """A second result for the plan replaces the first: one run, no leftover visit rows."""

    async def go(conn: asyncpg.Connection):  # type: ignore[no-untyped-def]
        pid, result = await _stored(conn)
        empty = plan_adherence(replace(_plan(), plan_id=pid), {})
        later = AdherenceRun(pid, T0 + timedelta(hours=10), T0 + timedelta(hours=10), "job")
        await save_adherence(conn, empty, later)
        runs = await conn.fetchval("SELECT count(*) FROM plan_adherence")
        visits = await conn.fetchval("SELECT count(*) FROM adherence_visits")
        return runs, visits, await load_adherence(conn, pid, actor="job", purpose="check")

    runs, visits, (run_, back) = run(database, go)
    assert runs == 1 and visits == 5 and run_.computed_by == "job"
    assert back.totals.served == 0 and len(back.not_visited) == 5


def test_not_visited_lists_missed_bins_without_service_times(database: str) -> None:
    """The not-visited read gives the bins nobody served, by planned ETA, and logs nothing."""

    async def go(conn: asyncpg.Connection):  # type: ignore[no-untyped-def]
        pid, _ = await _stored(conn)
        got = await load_not_visited(conn, pid)
        return got, await conn.fetchval("SELECT count(*) FROM access_log")

    (run_, bins), logged = run(database, go)
    assert [(v.vehicle_id, v.bin_id) for v in bins] == [("truck-2", "b9"), ("truck-1", "b4")]
    assert all(v.served_at is None and v.outcome is Outcome.MISSED for v in bins)
    assert bins[1].reported is ReportStatus.EMPTIED and run_.computed_by == "planner"
    assert logged == 0


def test_absent_plans_and_results_and_empty_actors_are_refused(database: str) -> None:
    """Unknown plan, missing result, empty actor: each refused, and no access_log row left."""

    async def go(conn: asyncpg.Connection) -> int:
        pid = await save_plan(conn, _plan())
        with pytest.raises(PlanNotFound):
            await load_adherence(conn, pid + 1, actor="planner", purpose="review")
        with pytest.raises(AdherenceNotFound):
            await load_adherence(conn, pid, actor="planner", purpose="review")
        with pytest.raises(AdherenceNotFound):
            await load_not_visited(conn, pid)
        with pytest.raises(ValueError):
            await load_adherence(conn, pid, actor=" ", purpose="review")
        with pytest.raises(PlanNotFound):
            bad = AdherenceRun(pid + 1, T0, T0, "planner")
            await save_adherence(conn, plan_adherence(_plan(), {}), bad)
        return int(await conn.fetchval("SELECT count(*) FROM access_log"))

    assert run(database, go) == 0
