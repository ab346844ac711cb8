"""The trucks' day on a stored plan: GPS along the plan's road geometry and timing, blocked
bins, the drivers' reports, and the bins' levels carried to the next day."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from core.plan import DayPlan, Line, StopKind
from fleet.adherence import plan_adherence
from fleet.adherence_gps import traces_from_fixes
from fleet.adherence_types import ReportStatus
from routing.network.geometry import with_geometry
from routing.network.matrix import travel_matrix
from routing.planning.day_problem import DayConfig, build_day_problem, day_plan, matrix_points
from routing.planning.selection import Selection
from routing.vrp.engines import pyvrp_engine
from simulations.bin_levels import BinLevels
from simulations.bins_sim import simulate_history
from simulations.driver_reports import ReportRates, driver_reports
from simulations.loop.clock import Clock
from simulations.loop.config import GpsConfig, TrafficConfig
from simulations.loop.scenario import Scenario
from simulations.truck_day import DriveConfig, drive_plan
from tests.simulations.loop.grid import TZ, grid_coords, grid_network, grid_scenario

DAY = date(2024, 9, 3)
CLOCK = Clock(DAY, 2, TZ)
CALM = DriveConfig(TrafficConfig(0.0, 0.0, 0.0), GpsConfig(sigma_m=0.0), blocked_rate=0.0)
M_PER_DEG = 111_320.0


@pytest.fixture(scope="module")
def city() -> Scenario:
    """The grid scenario with every bin exactly on a street node (so on the road geometry)."""
    sc = grid_scenario(n_bins=16, n_trucks=2)
    _, lon, lat = grid_coords()
    nodes = [
        int(np.argmin(np.hypot(np.array(lon) - b.lon, np.array(lat) - b.lat))) for b in sc.bins
    ]
    bins = tuple(replace(b, lon=lon[n], lat=lat[n]) for b, n in zip(sc.bins, nodes, strict=True))
    pts = matrix_points(bins, sc.depots, sc.disposal_sites)
    return replace(sc, bins=bins, matrix=travel_matrix(grid_network(), *pts))


@pytest.fixture(scope="module")
def plan(city: Scenario) -> DayPlan:
    """Every bin routed (PyVRP, fixed seed and budget), with the road geometry."""
    ids = tuple(b.bin_id for b in city.bins)
    problem = build_day_problem(
        DAY,
        city.bins,
        Selection(ids, {}, {}, {i: 60.0 for i in ids}),
        city.trucks,
        city.depots,
        city.disposal_sites,
        city.matrix,
        config=DayConfig(tz=TZ),
    )
    sol = pyvrp_engine.solve_problem(problem.data, 0.0, seed=3, max_iterations=150)
    return with_geometry(day_plan(problem, sol, at_risk=()), grid_network())


def _metres_to_line(lon: np.ndarray, lat: np.ndarray, line: Line) -> np.ndarray:
    """Distance of each point to the polyline, in metres (flat-earth, fine for a few km)."""
    k = np.cos(np.radians(lat.mean())) * M_PER_DEG
    px, py = lon * k, lat * M_PER_DEG
    ax, ay = (np.array([p[0] for p in line]) * k, np.array([p[1] for p in line]) * M_PER_DEG)
    x0, y0, x1, y1 = ax[:-1], ay[:-1], ax[1:], ay[1:]
    dx, dy = x1 - x0, y1 - y0
    seg = np.maximum(dx**2 + dy**2, 1e-9)
    t = np.clip(((px[:, None] - x0) * dx + (py[:, None] - y0) * dy) / seg, 0.0, 1.0)
    return np.min(np.hypot(px[:, None] - x0 - t * dx, py[:, None] - y0 - t * dy), axis=1)


def test_gps_follows_the_plan_geometry_and_timing(city: Scenario, plan: DayPlan) -> None:
    """Without traffic noise every fix lies on the route's stored geometry, every 5 s from the
    planned start, and the truck stands at each bin from its planned ETA for its service time."""
    day = drive_plan(plan, city, grid_network(), CLOCK, 0, 5, lambda b, t: 30.0, CALM)
    assert not day.execution.not_done and len(day.execution.services) == len(city.bins)
    for route in plan.routes:
        assert route.geometry
        mine = [f for f in day.fixes if f.vehicle_id == route.vehicle_id]
        lon, lat = np.array([f.lon for f in mine]), np.array([f.lat for f in mine])
        assert float(_metres_to_line(lon, lat, route.geometry).max()) < 1.0
        t = np.array([f.observed_at.timestamp() for f in mine])
        assert np.allclose(np.diff(t), 5.0) and abs(t[0] - route.start.timestamp()) < 5.0
        still = np.array([f.speed_kmh == 0.0 for f in mine])
        for stop in (s for s in route.stops if s.kind is StopKind.BIN):
            at_bin = still & (_metres_to_line(lon, lat, ((stop.lon, stop.lat),) * 2) < 1.0)
            eta = stop.eta.timestamp()
            first = t[at_bin & (t >= eta - 5.0)][0]  # still fixes: 2 after arriving, 5 s apart
            assert first - eta <= 15.0, f"{stop.bin_id} served {first - eta:.0f} s after its ETA"
            assert np.sum(at_bin & (t >= first) & (t < first + 60.0)) * 5.0 >= 50.0


def test_traffic_changes_timing_not_the_road(city: Scenario, plan: DayPlan) -> None:
    """With the seeded traffic perturbation the fixes stay on the geometry but the times move."""
    calm = drive_plan(plan, city, grid_network(), CLOCK, 0, 5, lambda b, t: 30.0, CALM)
    busy_cfg = replace(CALM, traffic=TrafficConfig(0.3, 0.3, 0.3))
    busy = drive_plan(plan, city, grid_network(), CLOCK, 0, 5, lambda b, t: 30.0, busy_cfg)
    for route in plan.routes:
        mine = [f for f in busy.fixes if f.vehicle_id == route.vehicle_id]
        lon, lat = np.array([f.lon for f in mine]), np.array([f.lat for f in mine])
        assert route.geometry is not None
        assert float(_metres_to_line(lon, lat, route.geometry).max()) < 1.0
    assert [s.t_h for s in calm.execution.services] != [s.t_h for s in busy.execution.services]


def test_reports_say_what_the_trucks_did(city: Scenario, plan: DayPlan) -> None:
    """Honest drivers report emptied bins with the fill found and blocked bins as skipped with
    a reason; with error rates, missing and wrong reports appear and are counted."""
    cfg = replace(CALM, blocked_rate=0.25)
    day = drive_plan(plan, city, grid_network(), CLOCK, 0, 5, lambda b, t: 55.0, cfg)
    assert day.blocked and not set(day.blocked) & set(day.services())
    honest, tally = driver_reports(plan, day, city, CLOCK, ReportRates(0.0, 0.0, 0.0), seed=1)
    by_bin = {r.bin_id: r for r in honest}
    assert tally.missing == tally.wrong == tally.left == 0
    for b, s in day.services().items():
        assert by_bin[b].status is ReportStatus.EMPTIED
        assert by_bin[b].fill_observed == round(55.0 / city.bins[s.bin_index].capacity_l, 1)
    assert {b: r.skip_reason for b, r in by_bin.items() if b in day.blocked} == dict(day.blocked)
    sloppy, t2 = driver_reports(plan, day, city, CLOCK, ReportRates(0.3, 0.3), seed=1)
    assert t2.missing > 0 and t2.wrong == sum(not r.truthful for r in sloppy) > 0
    assert t2.emptied + t2.skipped + t2.wrong == len(sloppy)


def test_levels_reset_where_emptied_and_carry_over(city: Scenario) -> None:
    """An emptied bin's readings drop to its residue and it refills from there; the next
    window starts from the last levels; the litter drawn does not depend on the emptyings."""
    start = datetime(2024, 9, 2, 6, tzinfo=UTC)
    history = simulate_history(
        list(city.bins), start, timedelta(hours=23), timedelta(hours=1), seed=2, tz=TZ
    )
    levels = BinLevels.after(history, None, seed=2, tz=TZ)
    window = levels.window(levels.at + timedelta(days=1), timedelta(hours=1), day=0)
    assert len(window.times) == 23 and window.times[0] == levels.at + timedelta(hours=1)
    at = window.times[5] + timedelta(minutes=10)
    readings, after = window.close({3: at})
    litter = window.added[6, 3] - window.added[5, 3]  # since the reading before the emptying
    assert readings.level[6, 3] <= 0.03 + litter + 1e-9
    assert readings.emptied[6, 3] and readings.emptied.sum() == 1
    assert after.level[3] < window.level_at(3, window.times[-1])
    untouched = [b for b in range(len(city.bins)) if b != 3]
    assert np.allclose(after.level[untouched], [window.level_at(b, after.at) for b in untouched])
    again = levels.window(levels.at + timedelta(days=1), timedelta(hours=1), day=0)
    assert np.array_equal(again.added, window.added)


def test_proof_of_service_sees_the_plan_driven(city: Scenario, plan: DayPlan) -> None:
    """Proof of service on the generated GPS (5 m noise) finds every bin served in sequence on
    the planned path; bins found blocked are missed."""
    noisy = replace(CALM, gps=GpsConfig())
    day = drive_plan(plan, city, grid_network(), CLOCK, 0, 5, lambda b, t: 30.0, noisy)
    t = plan_adherence(plan, traces_from_fixes(day.fixes)).totals
    assert (t.served, t.missed, t.out_of_sequence, t.unplanned) == (len(city.bins), 0, 0, 0)
    assert t.off_route_km < 0.02 * t.driven_km
    blocked = drive_plan(
        plan, city, grid_network(), CLOCK, 0, 5, lambda b, t: 30.0, replace(noisy, blocked_rate=0.2)
    )
    t = plan_adherence(plan, traces_from_fixes(blocked.fixes)).totals
    assert t.missed == len(blocked.blocked) > 0 and t.served == len(blocked.services())
