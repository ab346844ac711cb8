"""What the platform gets to see: sensor faults, late messages, driver reports."""

from __future__ import annotations

import numpy as np
import pytest

from simulations.loop.clock import Clock
from simulations.loop.config import SensorConfig
from simulations.loop.engine import simulate
from simulations.loop.knowledge import Platform
from simulations.loop.policies import make_policy
from simulations.loop.scenario import Scenario
from simulations.loop.sensors import SensorNetwork
from tests.simulations.loop.grid import TZ, tiny_config


def test_readings_are_noisy_lost_late_and_stuck() -> None:
    """Dropouts, delays and stuck sensors show at about their configured rates."""
    cfg = SensorConfig(dropout_prob=0.1, late_prob=0.2, stuck_per_day=0.2, noise_sd=0.02)
    net = SensorNetwork(400, days=3, cfg=cfg, seed=1)
    level = np.full(400, 0.5)
    sent = late = 0
    for slot in range(48):
        batch = net.sweep(slot, float(slot), level + slot / 200)
        sent += batch.bins.size
        late += int((batch.arrival_h > batch.observed_h).sum())
    assert 0.85 < sent / (48 * 400) < 0.95
    assert 0.15 < late / sent < 0.25
    stuck = net.stuck(40.0)
    assert stuck.any()
    batch = net.sweep(48, 48.0, np.full(400, 0.9))
    stuck_now = net.stuck(48.0)[batch.bins]
    assert np.median(batch.level[stuck_now]) < 0.8  # repeating an old value
    assert np.median(batch.level[~stuck_now]) > 0.85


def test_platform_sees_only_arrived_readings(grid: Scenario) -> None:
    """A late reading is invisible until it arrives."""
    clock = Clock(start=tiny_config().start, days=2, tz=TZ)
    platform = Platform(grid.bins, np.ones(grid.n_bins, bool), clock, history_days=7)
    net = SensorNetwork(grid.n_bins, 2, SensorConfig(late_prob=0.999, dropout_prob=0.0), seed=2)
    for slot in range(6):
        platform.receive(net.sweep(slot, float(slot), np.full(grid.n_bins, 0.1 + 0.05 * slot)))
    early = platform.forecasts(5.0)
    late = platform.forecasts(60.0)
    assert sum(f.n_obs for f in early.values()) < sum(f.n_obs for f in late.values())


def test_driver_reports_feed_bins_without_sensors(grid: Scenario) -> None:
    """A bin without a sensor is forecast from the fills drivers saw when emptying it."""
    clock = Clock(start=tiny_config().start, days=6, tz=TZ)
    platform = Platform(grid.bins, np.zeros(grid.n_bins, bool), clock, history_days=14)
    before = platform.forecasts(1.0)[grid.bins[0].bin_id]
    assert before.level_now == pytest.approx(0.5)  # the commissioning assumption
    for day in range(1, 5):
        platform.report_emptied(0, 24.0 * day + 9, 0.6)
    f = platform.forecasts(24.0 * 5)[grid.bins[0].bin_id]
    assert f.level_now == pytest.approx(0.0, abs=0.05)
    assert f.rate_per_h * 24 == pytest.approx(0.6, rel=0.35)
    assert platform.last_emptied_h[0] == 24.0 * 4 + 9


def test_low_sensor_coverage_still_runs_and_conserves(grid: Scenario) -> None:
    """At 18 % coverage the platform policy runs on driver reports and litter is conserved."""
    cfg = tiny_config(days=8, sensors=SensorConfig(coverage=0.18))
    result = simulate(grid, cfg, make_policy("platform", "0.3"), seed=6, keep_details=True)
    assert sum(r.collections for r in result.days) > 0
    assert all(np.allclose(led.imbalance(), 0.0, atol=1e-6) for led in result.ledgers)
