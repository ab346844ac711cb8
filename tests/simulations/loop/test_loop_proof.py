"""Proof of service in the closed loop: GPS along the driven roads, drivers' reports, adherence."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import numpy as np
import pytest
import shapely

from fleet.adherence_types import AdherenceParams, Disagreement, Outcome
from simulations.loop.adherence_rows import ADHERENCE_COLUMNS, parse_adherence_csv
from simulations.loop.clock import Clock
from simulations.loop.config import GpsConfig, LoopConfig, ReportConfig, TrafficConfig
from simulations.loop.engine import _Run, simulate
from simulations.loop.execution import TruckDay
from simulations.loop.policies import make_policy
from simulations.loop.results import RunResult
from simulations.loop.scenario import Scenario
from simulations.loop.tidy import csv_text
from tests.simulations.loop.grid import TZ, grid_network, tiny_config

CALM = TrafficConfig(0.0, 0.0, 0.0)
HONEST = ReportConfig(missing=0.0, wrong=0.0)
M_PER_DEG = 111_320.0


def perfect(days: int) -> LoopConfig:
    """No traffic noise, no report errors."""
    return tiny_config(days=days, traffic=CALM, reports=HONEST)


def metres(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return lon * M_PER_DEG * np.cos(np.radians(55.68)), lat * M_PER_DEG


def gap_m(line: list[tuple[float, float]], lon: np.ndarray, lat: np.ndarray) -> float:
    """The largest distance of the points from the polyline, in metres."""
    path = np.asarray(line)
    geom = shapely.linestrings(*metres(path[:, 0], path[:, 1]))
    return float(shapely.distance(geom, shapely.points(*metres(lon, lat))).max())


def driven_line(sc: Scenario, truck: TruckDay) -> list[tuple[float, float]]:
    """The roads a truck drove: each leg from its stop along the fastest path to the next."""
    lon, lat = sc.points
    nodes = sc.matrix.nodes
    net = grid_network()
    line: list[tuple[float, float]] = []
    for g in truck.legs:
        path = sc.roads.path(int(nodes[g.origin]), int(nodes[g.destination]))
        line += [(lon[g.origin], lat[g.origin]), *zip(net.lon[path], net.lat[path], strict=True)]
        line.append((lon[g.destination], lat[g.destination]))
    return line


def test_served_plus_missed_is_planned_every_working_day(grid: Scenario) -> None:
    """Every working day has a row; served + missed = planned, as planned and done in plans."""
    result = simulate(grid, tiny_config(days=10), make_policy("platform", "0.3"), seed=3)
    assert [r.day for r in result.adherence] == [p.day for p in result.plans]
    for row, plan in zip(result.adherence, result.plans, strict=True):
        assert row.served + row.missed == row.planned == plan.planned_bins
        assert row.done == plan.done_bins


def test_perfect_execution_proves_every_stop_without_disagreement(grid: Scenario) -> None:
    """With no traffic noise and honest drivers every emptied bin is served, nothing disputed."""
    result = simulate(grid, perfect(8), make_policy("k-soonest", "12"), seed=2, keep_details=True)
    executions = dict(result.executions)
    assert result.proofs and all(r.disagreements == 0 for r in result.adherence)
    for day, proof in result.proofs:
        served = {
            (v.vehicle_id, v.bin_id)
            for v in proof.adherence.visits()
            if v.outcome is Outcome.SERVED
        }
        done = {(s.vehicle_id, grid.bins[s.bin_index].bin_id) for s in executions[day].services}
        assert done and done <= served


def test_report_errors_give_disagreements_at_their_rate(grid: Scenario) -> None:
    """10 % missing and 10 % wrong reports: about 10 % of stops each way disputed, 20 % in all."""
    cfg = replace(perfect(15), reports=ReportConfig(missing=0.1, wrong=0.1))
    result = simulate(grid, cfg, make_policy("fixed", "1"), seed=4, keep_details=True)
    planned = sum(r.planned for r in result.adherence)
    assert planned > 250
    rate = sum(r.disagreements for r in result.adherence) / planned
    assert rate == pytest.approx(0.2, abs=0.07)
    kinds = [v.disagreement for _, p in result.proofs for v in p.adherence.visits()]
    for kind in (Disagreement.SERVED_NOT_REPORTED, Disagreement.SERVED_BUT_SKIPPED):
        assert kinds.count(kind) / planned == pytest.approx(0.1, abs=0.05)


def test_the_platform_learns_only_what_is_reported(grid: Scenario) -> None:
    """A missing or wrong report leaves the platform unaware of an emptying the truth records."""
    cfg = replace(perfect(8), reports=ReportConfig(missing=0.2, wrong=0.1))
    run = _Run(grid, cfg, make_policy("fixed", "1"), seed=6, keep=True)
    run.schedule_all()
    run.sim.run(until=run.clock.end_h)
    told = np.full(grid.n_bins, np.nan)
    for _, proof in run.proofs:
        for r in proof.reports:
            if r.status == "emptied" and isinstance(r.reported_at, datetime):
                h = (r.reported_at - run.clock.origin).total_seconds() / 3600.0
                told[grid.bin_index[r.bin_id]] = h
    done = np.full(grid.n_bins, np.nan)
    for _, exe in run.executions:
        for s in exe.services:
            done[s.bin_index] = s.t_h
    np.testing.assert_allclose(run.platform.last_emptied_h, told)
    assert np.sum(~np.isclose(told, done, equal_nan=True)) > 0


def test_same_seed_same_adherence_csv(grid: Scenario) -> None:
    """One seed gives a byte-identical adherence.csv; another seed a different one."""
    cfg = tiny_config(days=8)

    def text(seed: int) -> str:
        r: RunResult = simulate(grid, cfg, make_policy("platform", "0.6"), seed=seed)
        return csv_text(r.adherence, ADHERENCE_COLUMNS)

    a, b, c = text(4), text(4), text(5)
    assert a == b and a != c
    assert len(parse_adherence_csv(a)) == 7  # Monday to Saturday, Monday


def test_gps_follows_the_roads_each_truck_drove(grid: Scenario) -> None:
    """Noiseless fixes lie on the road geometry of each truck's driven legs, every 5 s."""
    cfg = replace(tiny_config(days=5), gps=GpsConfig(sigma_m=0.0))
    result = simulate(grid, cfg, make_policy("fixed", "2"), seed=1, keep_details=True)
    executions = dict(result.executions)
    for day, proof in result.proofs:
        for truck in executions[day].trucks:
            trace = proof.traces[truck.vehicle_id]
            assert len(trace) == pytest.approx(truck.route_h * 3600 / 5, abs=2)
            assert gap_m(driven_line(grid, truck), trace.lon, trace.lat) < 0.5


def test_gps_of_a_truck_keeping_to_its_plan_lies_on_the_plan_geometry(grid: Scenario) -> None:
    """A truck driving its planned stops in order stays on its route's geometry: no off-route."""
    cfg = replace(perfect(5), gps=GpsConfig(sigma_m=0.0))
    result = simulate(grid, cfg, make_policy("fixed", "1"), seed=1, keep_details=True)
    executions = dict(result.executions)
    kept = 0
    for day, proof in result.proofs:
        for route, truck in zip(proof.routes, executions[day].trucks, strict=True):
            driven = [g.origin for g in truck.legs] + [truck.legs[-1].destination]
            lon, lat = grid.points
            planned = [(s.lon, s.lat) for s in route.stops]
            if [(lon[p], lat[p]) for p in driven] != planned:
                continue  # an unplanned unload: off the plan's path by design
            kept += 1
            trace = proof.traces[route.vehicle_id]
            assert route.geometry is not None
            assert gap_m(list(route.geometry), trace.lon, trace.lat) < 0.5
            totals = next(t for t in proof.adherence.trucks if t.vehicle_id == route.vehicle_id)
            assert totals.totals.off_route_km == 0.0
    assert kept > 0


def test_coarser_gps_interval_changes_no_daily_figure(grid: Scenario) -> None:
    """A 30 s interval reads about a sixth of the fixes and leaves daily rows unchanged."""
    cfg = tiny_config(days=4)
    fine = simulate(grid, cfg, make_policy("fixed", "1"), seed=1)
    coarse_cfg = replace(cfg, gps=GpsConfig(interval_s=30.0))
    coarse = simulate(grid, coarse_cfg, make_policy("fixed", "1"), seed=1)
    assert fine.days == coarse.days
    ratio = sum(r.fixes for r in fine.adherence) / sum(r.fixes for r in coarse.adherence)
    assert ratio == pytest.approx(6.0, rel=0.03)


def test_settings_are_validated() -> None:
    """Report shares, the GPS interval and the adherence thresholds are checked."""
    for missing, wrong in ((-0.1, 0.0), (0.0, 1.0), (0.6, 0.5)):
        with pytest.raises(ValueError, match="missing and wrong"):
            ReportConfig(missing=missing, wrong=wrong)
    with pytest.raises(ValueError, match="interval_s"):
        GpsConfig(interval_s=0.0)
    end = datetime(2024, 9, 2, 14, tzinfo=Clock(tiny_config().start, 1, TZ).zone)
    with pytest.raises(ValueError, match="shift_end"):
        tiny_config(adherence=AdherenceParams(shift_end=end))
