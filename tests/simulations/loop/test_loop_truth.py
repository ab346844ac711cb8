"""Tests for simulations.loop.truth and the conservation of litter in the closed loop."""

from __future__ import annotations

import numpy as np
import pytest

from simulations.loop.demand import Deposits
from simulations.loop.engine import simulate
from simulations.loop.policies import make_policy
from simulations.loop.scenario import Scenario
from simulations.loop.truth import GroundTruth
from tests.simulations.loop.grid import tiny_config


def two_bins() -> GroundTruth:
    """Bin 0 (100 l) gets 10 l an hour from empty; bin 1 (50 l) starts at 40 l, gets 5 l/h."""
    hourly = np.tile([10.0, 5.0], (48, 1))
    return GroundTruth(Deposits(hourly, np.array([0.0, 40.0]), np.array([240.0, 120.0])), [100, 50])


def test_content_grows_and_caps_at_capacity() -> None:
    """Content follows the deposits linearly within an hour and stops at the capacity."""
    gt = two_bins()
    assert gt.content(2.5).tolist() == [25.0, 50.0]
    assert gt.content(20.0).tolist() == [100.0, 50.0]


def test_overflow_litres_and_hours_are_exact() -> None:
    """Overflow counts the litres beyond capacity and the hours since the bin became full."""
    led = two_bins().ledger(12.0)
    assert led.overflow_l.tolist() == [20.0, 50.0]  # 120 - 100; 40 + 60 - 50
    assert led.overflow_h.tolist() == pytest.approx([2.0, 10.0])


def test_emptying_collects_content_and_closes_overflow() -> None:
    """Emptying takes what is in the bin; the overflow so far stays counted; refilling restarts."""
    gt = two_bins()
    assert gt.empty(1, 4.0) == 50.0  # full since hour 2
    led = gt.ledger(6.0)
    assert led.collected.tolist() == [0.0, 50.0]
    assert led.overflow_l[1] == pytest.approx(10.0)
    assert led.overflow_h[1] == pytest.approx(2.0)
    assert led.in_bin[1] == pytest.approx(10.0)
    assert np.allclose(led.imbalance(), 0.0)


def test_events_must_come_in_time_order() -> None:
    """Emptying before the last applied event is refused."""
    gt = two_bins()
    gt.empty(0, 5.0)
    with pytest.raises(ValueError, match="before"):
        gt.empty(1, 4.0)


@pytest.mark.parametrize(("policy", "param"), [("fixed", "2"), ("platform", "0.3")])
def test_conservation_every_day_per_bin_and_in_total(
    grid: Scenario, policy: str, param: str
) -> None:
    """Each day, per bin and in total: in bin before + deposited = collected + overflow + after."""
    result = simulate(
        grid, tiny_config(days=9), make_policy(policy, param), seed=3, keep_details=True
    )
    assert len(result.ledgers) == 10 and len(result.days) == 9
    for day, (a, b) in enumerate(zip(result.ledgers, result.ledgers[1:], strict=False)):
        deposited = b.deposited - a.deposited
        collected = b.collected - a.collected
        overflow = b.overflow_l - a.overflow_l
        assert np.allclose(a.in_bin + deposited, collected + overflow + b.in_bin, atol=1e-6)
        assert np.allclose(b.imbalance(), 0.0, atol=1e-6)
        row = result.days[day]
        assert row.deposited_l == pytest.approx(deposited.sum())
        assert row.collected_l == pytest.approx(collected.sum())
        assert row.overflow_l == pytest.approx(overflow.sum())
    assert sum(r.collections for r in result.days) > 0
    assert (result.ledgers[-1].in_bin <= grid.capacity_l + 1e-9).all()
