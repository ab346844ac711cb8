"""GPS fixes along the road geometry of what the trucks drove."""

from __future__ import annotations

import numpy as np

from core.geo import haversine_m
from simulations.loop.clock import Clock
from simulations.loop.engine import simulate
from simulations.loop.gps import GpsConfig, day_fixes
from simulations.loop.policies import make_policy
from simulations.loop.scenario import Scenario
from tests.simulations.loop.grid import grid_network, tiny_config


def test_fixes_follow_the_streets_during_the_shift(grid: Scenario) -> None:
    """Noiseless fixes lie on the grid's streets, every 5 s from departure to return."""
    cfg = tiny_config(days=4)
    result = simulate(grid, cfg, make_policy("fixed", "1"), seed=2, keep_details=True)
    day, execution = result.executions[0]
    clock = Clock(start=cfg.start, days=cfg.days, tz=cfg.tz)
    net = grid_network()
    fixes = day_fixes(execution, net, grid, clock, seed=2, day=day, cfg=GpsConfig(sigma_m=0.0))
    truck = execution.trucks[0]
    mine = [f for f in fixes if f.vehicle_id == truck.vehicle_id]
    assert abs(len(mine) - truck.route_h * 3600 / 5) <= 2
    assert mine[0].observed_at >= clock.instant(clock.at(day, 6.0))
    lon = np.array([f.lon for f in mine])
    lat = np.array([f.lat for f in mine])
    on_row = np.min(np.abs(lat[:, None] - np.unique(net.lat)[None, :]), axis=1) < 1e-6
    on_col = np.min(np.abs(lon[:, None] - np.unique(net.lon)[None, :]), axis=1) < 1e-6
    inside = (lon <= net.lon.max() + 1e-9) & (lat <= net.lat.max() + 1e-9)
    assert (on_row | on_col | ~inside).mean() > 0.95  # the off-network disposal leg aside
    assert max(f.speed_kmh for f in mine) < 120


def test_noise_is_about_sigma(grid: Scenario) -> None:
    """Fixes scatter around the noiseless track by about ``sigma_m``."""
    cfg = tiny_config(days=4)
    result = simulate(grid, cfg, make_policy("fixed", "1"), seed=2, keep_details=True)
    day, execution = result.executions[0]
    clock = Clock(start=cfg.start, days=cfg.days, tz=cfg.tz)
    net = grid_network()
    clean = day_fixes(execution, net, grid, clock, 2, day, GpsConfig(sigma_m=0.0))
    noisy = day_fixes(execution, net, grid, clock, 2, day, GpsConfig(sigma_m=5.0))
    err = haversine_m(
        np.array([f.lon for f in clean]),
        np.array([f.lat for f in clean]),
        np.array([f.lon for f in noisy]),
        np.array([f.lat for f in noisy]),
    )
    assert 4.0 < float(np.sqrt(np.mean(err**2)) / np.sqrt(2)) < 6.0
