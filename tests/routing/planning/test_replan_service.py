"""Mid-day re-planning: from a stored plan, drivers' reports and GPS fixes to a stored re-plan."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest

from core.db.plans import latest_plan, load_plan
from core.db.stop_reports import report_stop
from core.domain import Site, Vehicle, VehicleKind
from core.plan import Stop, StopKind
from core.reports import StopReport
from core.tracking import VehicleFix
from routing.network.graph import RoadNetwork
from routing.planning.day_problem import DayConfig
from routing.planning.plan_service import PlanRequest, plan_day
from routing.planning.replan_service import REPLAN_STEPS, ReplanRequest, load_on_board, replan_day
from routing.planning.replan_service import truck_starts as starts_of
from simulations.city import City
from tests.cities import COPENHAGEN_TZ
from tests.routing.conftest import CITY_DAY as DAY
from tests.routing.planning.test_plan_service import fetch

T0 = datetime(2024, 5, 14, 6, tzinfo=UTC)

CONFIG = DayConfig(COPENHAGEN_TZ)


def _report(seq: int, kind: StopKind, load: float, status: str = "planned") -> StopReport:
    stop = Stop(
        seq,
        kind,
        f"B{seq}" if kind is StopKind.BIN else None,
        None if kind is StopKind.BIN else "S",
        "",
        0.0,
        0.0,
        T0,
        T0,
        load,
        load / 10,
    )
    return StopReport(stop, status, None, None, None)


def test_load_on_board_counts_bins_since_the_last_unload_less_skipped() -> None:
    """Load = planned load after the last reported bin, less skipped bins since the unload."""
    b, d = StopKind.BIN, StopKind.DISPOSAL
    route = [
        _report(0, StopKind.DEPOT, 0),
        _report(1, b, 100, "emptied"),
        _report(2, d, 0),
        _report(3, b, 50, "emptied"),
        _report(4, b, 120, "skipped"),
        _report(5, b, 200, "emptied"),
        _report(6, b, 260),
    ]
    assert load_on_board(route) == pytest.approx((130.0, 13.0))
    assert load_on_board(route[:2]) == pytest.approx((100.0, 10.0))
    assert load_on_board([_report(0, StopKind.DEPOT, 0), _report(1, b, 80)]) == (0.0, 0.0)


def test_stale_or_missing_fix_starts_the_truck_at_its_depot_empty() -> None:
    """A fix within max_fix_age is used with the load on board; older or none: the depot."""
    depot = Site("D1", "Depot", 12.5, 55.7)
    trucks = [Vehicle(f"T{k}", VehicleKind.WASTE_TRUCK, "D1", 8000) for k in range(3)]
    now = T0 + timedelta(hours=4)
    fixes = {
        "T0": VehicleFix("T0", now - timedelta(minutes=5), 12.6, 55.6, 20.0),
        "T1": VehicleFix("T1", now - timedelta(minutes=31), 12.6, 55.6, 20.0),
    }
    route = [_report(0, StopKind.DEPOT, 0), _report(1, StopKind.BIN, 90, "emptied")]
    reports = {v.vehicle_id: route for v in trucks}
    s = starts_of(trucks, {"D1": depot}, fixes, reports, now, timedelta(minutes=30))
    assert [(x.source, x.lon, x.load_l) for x in s] == [
        ("gps", 12.6, 90.0),
        ("depot", 12.5, 0.0),
        ("depot", 12.5, 0.0),
    ]


@pytest.mark.integration
@pytest.mark.slow
def test_replan_starts_trucks_where_they_are_without_done_bins(
    city_db: str, copenhagen: RoadNetwork, small_city: City, tmp_path: Path
) -> None:
    """Trucks mid-route restart from their GPS positions (stale: depot), no emptied or skipped
    bin is planned again, the re-plan passes the checker and is stored as the current plan."""
    plan = asyncio.run(
        plan_day(city_db, PlanRequest(DAY, time_limit_s=2.0, config=CONFIG), copenhagen, tmp_path)
    )
    assert plan.plan_id is not None
    busy = max(plan.routes, key=lambda r: len(r.bin_ids))
    assert len(busy.bin_ids) >= 4
    b1, b2, b3 = busy.stops[1], busy.stops[2], busy.stops[3]
    assert {b1.kind, b2.kind, b3.kind} == {StopKind.BIN}
    now = b3.departs + timedelta(minutes=5)
    other, stale = sorted(
        v.vehicle_id for v in small_city.vehicles if v.vehicle_id != busy.vehicle_id
    )
    far = busy.stops[-3]  # a truck that lent a hand and is now near the end of busy's route
    fixes = [
        (busy.vehicle_id, now - timedelta(minutes=2), b3.lon + 0.0003, b3.lat),
        (other, now - timedelta(minutes=10), far.lon, far.lat),
        (stale, now - timedelta(hours=2), 12.55, 55.68),
    ]

    async def drive(conn: asyncpg.Connection) -> None:
        for stop, status in ((b1, "emptied"), (b2, "emptied"), (b3, "skipped")):
            await report_stop(
                conn,
                plan.plan_id,
                busy.vehicle_id,
                stop.seq,
                status,
                fill_observed=0.9,
                reported_at=stop.departs,
            )
        await conn.executemany("INSERT INTO vehicle_state VALUES ($1, $2, $3, $4, 15, 0)", fixes)

    fetch(city_db, drive)
    done = {b1.bin_id, b2.bin_id, b3.bin_id}
    steps: list[str] = []
    new = asyncio.run(
        replan_day(
            city_db,
            ReplanRequest(DAY, now=now, time_limit_s=2.0),
            copenhagen,
            tmp_path,
            steps.append,
            actor="test-replan",
        )
    )

    assert new.status == "accepted" and new.violations == ()
    assert steps[0] == REPLAN_STEPS[0] and steps[-1] == "saving"
    assert new.inputs["replan_of"] == plan.plan_id
    assert new.inputs["replanned_at"] == now.isoformat()
    assert set(new.inputs["emptied"]) == done
    sources = {s["vehicle_id"]: s["source"] for s in new.inputs["truck_starts"]}
    assert sources == {busy.vehicle_id: "gps", other: "gps", stale: "depot"}
    visited = [b for r in new.routes for b in r.bin_ids]
    assert not done & set(visited) and len(visited) == len(set(visited))
    required = {b["bin_id"] for b in plan.inputs["bins"] if b["required"]} - done
    assert required <= set(visited)
    by_id = {r.vehicle_id: r for r in new.routes}
    assert busy.vehicle_id in by_id
    first = by_id[busy.vehicle_id].stops[0]
    assert (first.lon, first.lat) == (b3.lon + 0.0003, b3.lat) and first.eta >= now
    assert first.load_after_l == pytest.approx(b2.load_after_l)  # b3 was skipped
    for r in new.routes:
        assert r.stops[0].site_id == f"{r.vehicle_id}:start" and r.start >= now
        assert r.stops[-1].site_id == r.depot_id
        start = copenhagen.snap(r.stops[0].lon, r.stops[0].lat)[0]  # the line starts at the truck
        assert r.geometry and r.geometry[0] == (
            round(float(copenhagen.lon[start]), 6),
            round(float(copenhagen.lat[start]), 6),
        )
    if other in by_id:
        assert (by_id[other].stops[0].lon, by_id[other].stops[0].lat) == (far.lon, far.lat)
    if stale in by_id:
        depot = next(d for d in small_city.depots if d.site_id == by_id[stale].depot_id)
        assert (by_id[stale].stops[0].lon, by_id[stale].stops[0].lat) == (depot.lon, depot.lat)

    stored = fetch(city_db, lambda c: load_plan(c, new.plan_id))
    assert stored == replace(new, created_at=stored.created_at)
    assert fetch(city_db, lambda c: latest_plan(c, DAY)).plan_id == new.plan_id


@pytest.mark.integration
@pytest.mark.slow
def test_replan_logs_its_read_of_truck_positions(
    city_db: str, copenhagen: RoadNetwork, small_city: City, tmp_path: Path
) -> None:
    """A re-plan reads the trucks' positions for its actor with purpose "replan", logged once."""
    plan = asyncio.run(
        plan_day(city_db, PlanRequest(DAY, time_limit_s=1.0, config=CONFIG), copenhagen, tmp_path)
    )
    now = plan.routes[0].stops[1].departs
    fixes = [(v.vehicle_id, now, 12.55, 55.68) for v in small_city.vehicles]
    fetch(
        city_db,
        lambda c: c.executemany("INSERT INTO vehicle_state VALUES ($1, $2, $3, $4, 15, 0)", fixes),
    )
    with pytest.raises(ValueError, match="actor"):
        asyncio.run(
            replan_day(city_db, ReplanRequest(DAY, now=now), copenhagen, tmp_path, actor="")
        )
    request = ReplanRequest(DAY, now=now, time_limit_s=1.0)
    asyncio.run(replan_day(city_db, request, copenhagen, tmp_path, actor="planner-anna"))

    log = fetch(city_db, lambda c: c.fetch("SELECT actor, purpose, resource FROM access_log"))
    assert [tuple(r) for r in log] == [("planner-anna", "replan", "vehicle_state")]
