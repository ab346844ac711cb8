"""Common random numbers: every policy of a study meets the same city."""

from __future__ import annotations

import numpy as np

from simulations.fill_model import DEFAULT_CALIBRATION
from simulations.loop.clock import Clock
from simulations.loop.config import SensorConfig, TrafficConfig
from simulations.loop.demand import draw_deposits
from simulations.loop.engine import simulate
from simulations.loop.policies import make_policy
from simulations.loop.scenario import Scenario
from simulations.loop.sensors import sensor_mask
from simulations.loop.traffic import day_traffic
from tests.simulations.loop.grid import TZ, tiny_config


def test_deposits_are_identical_across_policies(grid: Scenario) -> None:
    """Deposited litres per bin and day do not depend on the policy, only on the seed."""
    cfg = tiny_config(days=8)
    runs = [
        simulate(grid, cfg, make_policy(p, q), seed=11, keep_details=True)
        for p, q in (("fixed", "1"), ("k-soonest", "6"), ("platform", "0.5"))
    ]
    first = runs[0]
    for other in runs[1:]:
        assert [r.deposited_l for r in other.days] == [r.deposited_l for r in first.days]
        for a, b in zip(first.ledgers, other.ledgers, strict=True):
            assert np.array_equal(a.deposited, b.deposited)
            assert np.array_equal(a.initial, b.initial)
    assert [r.collected_l for r in runs[0].days] != [r.collected_l for r in runs[1].days]


def test_draws_depend_on_the_seed_alone(grid: Scenario) -> None:
    """Deposits, sensor placement and traffic are functions of the seed (and day), nothing else."""
    clock = Clock(start=tiny_config().start, days=4, tz=TZ)
    a = draw_deposits(grid.capacity_l, grid.activity, clock, DEFAULT_CALIBRATION, seed=2)
    b = draw_deposits(grid.capacity_l, grid.activity, clock, DEFAULT_CALIBRATION, seed=2)
    c = draw_deposits(grid.capacity_l, grid.activity, clock, DEFAULT_CALIBRATION, seed=3)
    assert np.array_equal(a.hourly, b.hourly) and not np.array_equal(a.hourly, c.hourly)
    assert np.array_equal(sensor_mask(100, 0.18, 2), sensor_mask(100, 0.18, 2))
    assert sensor_mask(100, 0.18, 2).sum() == 18
    t1, t2 = day_traffic(2, 5, 30, 24, TrafficConfig()), day_traffic(2, 5, 30, 24, TrafficConfig())
    assert t1.city == t2.city and np.array_equal(t1.place, t2.place)
    assert SensorConfig().coverage == 1.0
