"""Integration: from inventory and fill readings in PostgreSQL to a stored, checked day plan."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from core.db.forecasts import forecast_run_of_plan, load_forecast_run
from core.db.plans import PlanNotFound, latest_plan, load_plan
from core.plan import StopKind
from routing.network.graph import RoadNetwork
from routing.planning.day_problem import DayConfig
from routing.planning.plan_service import PlanRejected, PlanRequest, plan_day
from routing.vrp.model import ProblemData
from routing.vrp.solution import Solution, make_solution
from simulations.city import City
from tests.cities import COPENHAGEN_TZ
from tests.routing.conftest import CITY_DAY as DAY

pytestmark = pytest.mark.integration

CONFIG = DayConfig(COPENHAGEN_TZ)


def fetch(dsn: str, fn: Any) -> Any:
    async def go() -> Any:
        conn = await asyncpg.connect(dsn)
        try:
            return await fn(conn)
        finally:
            await conn.close()

    return asyncio.run(go())


def test_plan_day_from_database_to_stored_checked_plan(
    city_db: str, copenhagen: RoadNetwork, small_city: City, tmp_path: Path
) -> None:
    """The portfolio's plan visits every required bin, passes the checker and is stored."""
    keep_out = small_city.bins[0].bin_id
    force_in = small_city.bins[1].bin_id
    steps: list[str] = []
    request = PlanRequest(
        DAY, time_limit_s=2.0, include=(force_in,), exclude=(keep_out,), config=CONFIG
    )
    plan = asyncio.run(plan_day(city_db, request, copenhagen, tmp_path, steps.append))

    assert plan.status == "accepted" and plan.violations == ()
    assert steps[0].startswith("loading") and steps[-1] == "saving"
    visited = {b for r in plan.routes for b in r.bin_ids}
    required = {b["bin_id"] for b in plan.inputs["bins"] if b["required"]}
    assert required and required <= visited
    assert force_in in visited and keep_out not in visited
    assert plan.inputs["network_version"] == copenhagen.version
    assert set(plan.inputs["vehicle_ids"]) == {"TRUCK-001", "TRUCK-002", "TRUCK-003"}
    assert plan.totals.bins_emptied == len(visited)
    assert plan.totals.km == pytest.approx(sum(r.km for r in plan.routes))
    for r in plan.routes:
        assert r.stops[0].kind is StopKind.DEPOT and r.stops[-1].kind is StopKind.DEPOT
        assert r.stops[-2].kind is StopKind.DISPOSAL and r.stops[-2].site_id == "ARC"
        assert r.start.astimezone(plan.routes[0].start.tzinfo).hour >= 4  # 06:00 local = 04 UTC
        assert all(s.street for s in r.stops)
        assert r.geometry is not None and len(r.geometry) > len(r.stops)  # along the streets
    assert list(tmp_path.glob("matrix-*.npz")), "the travel matrix is cached"

    pid = plan.plan_id
    assert pid is not None
    stored = fetch(city_db, lambda c: load_plan(c, pid))
    assert stored == replace(plan, created_at=stored.created_at)
    assert fetch(city_db, lambda c: latest_plan(c, DAY)).plan_id == plan.plan_id
    run_id = fetch(city_db, lambda c: forecast_run_of_plan(c, pid))
    forecasts = fetch(city_db, lambda c: load_forecast_run(c, run_id))
    assert set(forecasts) == {b.bin_id for b in small_city.bins}  # every bin's forecast is kept
    assert any(f.predicted_full_at is not None for f in forecasts.values())


def test_plan_failing_the_checker_is_stored_rejected(
    city_db: str,
    copenhagen: RoadNetwork,
    small_city: City,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A plan missing required bins raises PlanRejected, is stored rejected, never served."""

    def no_routes(data: ProblemData, *args: Any, **kwargs: Any) -> Solution:
        return make_solution(data, [], "broken", 0.0)

    monkeypatch.setattr("routing.planning.plan_service.solve", no_routes)
    request = PlanRequest(
        DAY, time_limit_s=1.0, include=(small_city.bins[2].bin_id,), config=CONFIG
    )
    with pytest.raises(PlanRejected) as err:
        asyncio.run(plan_day(city_db, request, copenhagen, tmp_path))
    stored = fetch(city_db, lambda c: load_plan(c, err.value.plan_id))
    assert stored.status == "rejected"
    assert any(v.startswith("missing_client") for v in stored.violations)
    assert fetch(city_db, lambda c: forecast_run_of_plan(c, err.value.plan_id)) is not None
    with pytest.raises(PlanNotFound):
        fetch(city_db, lambda c: latest_plan(c, DAY))


def test_unknown_forced_bin_is_refused(
    city_db: str, copenhagen: RoadNetwork, tmp_path: Path
) -> None:
    """Forcing in a bin id that is not in the inventory raises a LookupError and stores nothing."""
    request = PlanRequest(DAY, time_limit_s=1.0, include=("NO-SUCH-BIN",), config=CONFIG)
    with pytest.raises(LookupError, match="NO-SUCH-BIN"):
        asyncio.run(plan_day(city_db, request, copenhagen, tmp_path))
    assert fetch(city_db, lambda c: c.fetchval("SELECT count(*) FROM plans")) == 0
