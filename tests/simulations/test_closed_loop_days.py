"""Two closed-loop days of the main job on a tiny city, through the real broker, database and
API: plan, the trucks' GPS through Kafka, drivers' reports over HTTP, adherence stored, and a
second day planned from what was ingested before it."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from core.db.adherence import load_adherence
from core.embedded import Endpoints
from core.settings import Settings
from routing.network.graph import build_network
from routing.network.osm import load_osm
from simulations.city import build_city
from simulations.day_drive import RunOptions
from simulations.day_loop import RunResult, run_city
from simulations.day_scenario import DayScenario, parking_sites_on
from simulations.demo_files import load_demo
from simulations.driver_reports import ReportRates
from tests.cities import PRAIRIEVILLE_DIR


@pytest.fixture
def two_days(
    endpoints: Endpoints, database: str, topic_prefix: str, tmp_path: Path
) -> tuple[RunResult, DayScenario, str]:
    """Prairieville (30 bins, 3 trucks, 3 other vehicles) for the two days before yesterday."""
    settings = Settings(
        city=str(PRAIRIEVILLE_DIR),
        data_dir=PRAIRIEVILLE_DIR,
        state_dir=tmp_path,
        api_port=0,
        topic_fill=f"{topic_prefix}.fill",
        topic_gps=f"{topic_prefix}.gps",
        topic_parking=f"{topic_prefix}.parking",
        topic_dead_letter=f"{topic_prefix}.dlq",
        topic_partitions=1,
    )
    profile = settings.city_profile()
    net = build_network(load_osm(profile.osm_files))
    demo = load_demo(PRAIRIEVILLE_DIR / "demo")
    city = build_city(net, profile, demo, 3, n_bins=30, n_vehicles=7, n_trucks=3, n_cleaners=1)
    parking = parking_sites_on(net, 3, profile.districts)[:6]
    first = datetime.now(ZoneInfo(profile.timezone)).date() - timedelta(days=3)
    scenario = DayScenario(
        first, 3, 30, 7, 7.0, 0.5, 2.0, 60.0, 1.0, 60, 0.005, profile.timezone, days=2
    )
    options = RunOptions(
        plan_time_limit=1.0,
        engine="pyvrp",
        serve_seconds=0,
        port=0,
        reports=ReportRates(missing=0.05, wrong=0.05),
        parking_model=False,
    )
    ep = replace(endpoints, database_url=database)
    result = run_city(ep, settings, net, city, parking, profile.districts, scenario, options)
    return result, scenario, database


async def _stored(dsn: str, plan_ids: list[int]) -> tuple[list[int], list[int]]:
    conn = await asyncpg.connect(dsn)
    try:
        served = []
        for pid in plan_ids:
            _, a = await load_adherence(conn, pid, actor="test", purpose="test")
            served.append(a.totals.served)
        rows = await conn.fetch(
            "SELECT plan_id, count(*) FILTER (WHERE status <> 'planned') AS n FROM plan_stops"
            " WHERE plan_id = ANY($1::bigint[]) GROUP BY plan_id ORDER BY plan_id",
            plan_ids,
        )
        return served, [int(r["n"]) for r in rows]
    finally:
        await conn.close()


def test_two_closed_loop_days(two_days: tuple[RunResult, DayScenario, str]) -> None:
    """Both days are planned, driven (GPS through Kafka, counts reconcile), reported over HTTP
    and checked (adherence stored); day two's plan reads day one's readings, made before it,
    and re-plans a bin emptied on day one only if it filled up again."""
    result, scenario, dsn = two_days
    assert result.reconciled and len(result.days) == 2
    one, two = result.days
    plans = [d.plan for d in result.days]
    assert all(p is not None and p.plan_id is not None and p.routes for p in plans)
    for day in result.days:
        assert day.driven is not None and day.adherence is not None and day.plan is not None
        assert day.posted.accepted == day.tally.emptied + day.tally.skipped + day.tally.wrong
        assert not day.posted.refused
        assert day.live_trucks == len(day.plan.routes)
        served = len(day.driven.execution.services)
        assert day.adherence.totals.served >= served - 1  # dwell detection on 5 m noisy GPS
        assert day.adherence.totals.disagreements >= day.tally.missing  # served, not reported
    ids = [p.plan_id for p in plans if p is not None and p.plan_id is not None]
    stored, reported = asyncio.run(_stored(dsn, ids))
    assert stored == [d.adherence.totals.served for d in result.days if d.adherence]
    assert reported == [d.posted.accepted for d in result.days]
    assert two.plan is not None and one.driven is not None
    as_of = datetime.fromisoformat(two.plan.inputs["forecast_as_of"])
    plan_two_at = scenario.at(1, 6.0)
    assert plan_two_at - timedelta(hours=1) <= as_of < plan_two_at
    emptied = set(one.driven.services())
    again = emptied & set(b for r in two.plan.routes for b in r.bin_ids)
    index = one.levels_after.index()
    assert all(one.levels_after.level[index[b]] >= 0.3 for b in again)
