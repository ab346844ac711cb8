"""The fixed schedule: compact rounds, each visited every k working days, leftovers counted."""

from __future__ import annotations

import numpy as np
import pytest

from simulations.loop.clock import Clock
from simulations.loop.engine import simulate
from simulations.loop.planner import TruckRoute
from simulations.loop.policies import make_policy
from simulations.loop.policies.fixed import FixedRounds, compact_rounds, leftovers_first
from simulations.loop.scenario import Scenario
from tests.simulations.loop.grid import grid_scenario, tiny_config


@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_rounds_partition_the_bins_evenly(grid: Scenario, k: int) -> None:
    """Every bin is in exactly one round and round sizes differ by at most one bin or so."""
    rounds = compact_rounds(grid.bins, k)
    members = np.concatenate(rounds)
    assert len(rounds) == k
    assert sorted(members.tolist()) == list(range(grid.n_bins))
    sizes = [r.size for r in rounds]
    assert max(sizes) - min(sizes) <= 2


def _emptied_per_day(result) -> np.ndarray:  # noqa: ANN001
    counts = np.array([led.emptied for led in result.ledgers])
    return np.diff(counts, axis=0)  # (days, bins)


def test_each_round_is_emptied_every_k_working_days(grid: Scenario) -> None:
    """Round j's bins are emptied exactly on working days j, j + k, ...; routes are reused."""
    k = 3
    cfg = tiny_config(days=14)
    result = simulate(grid, cfg, make_policy("fixed", str(k)), seed=5, keep_details=True)
    emptied = _emptied_per_day(result)
    clock = Clock(start=cfg.start, days=cfg.days, tz=cfg.tz)
    work = [d for d in range(cfg.days) if clock.weekday(d) in cfg.work_days]
    rounds = compact_rounds(grid.bins, k)
    for w, day in enumerate(work):
        for j, members in enumerate(rounds):
            expected = 1 if w % k == j else 0
            assert (emptied[day, members] == expected).all(), (day, j)
    off = [d for d in range(cfg.days) if d not in work]
    assert emptied[off].sum() == 0
    assert sum(p.solved for p in result.plans) == k  # each round optimised once
    assert all(p.not_done_bins == 0 for p in result.plans)


def test_leftovers_at_shift_end_wait_for_the_rounds_next_turn() -> None:
    """With too short a shift, planned bins are left undone, counted, and tried next turn."""
    short = grid_scenario(n_trucks=1, shift=(6.0, 6.55))
    cfg = tiny_config(days=10)
    result = simulate(short, cfg, FixedRounds(2), seed=5, keep_details=True)
    plans = result.plans
    assert any(p.not_done_bins > 0 for p in plans)
    for p in plans:
        assert p.done_bins + p.not_done_bins == p.planned_bins
    emptied = _emptied_per_day(result)
    total = sum(p.done_bins for p in plans)
    assert emptied.sum() == total == sum(r.collections for r in result.days)
    # the same round (same stops) comes back every second working day ...
    by_round: dict[int, set[int]] = {}
    for w, p in enumerate(plans):
        by_round.setdefault(w % 2, set()).add(p.planned_bins)
    assert all(len(v) == 1 for v in by_round.values())
    # ... starting with last turn's leftovers, so no bin of the round waits for ever
    assert (emptied.sum(axis=0) > 0).all()


def test_leftovers_first_rotates_the_route() -> None:
    """A route restarts at its first leftover stop and keeps its cyclic order."""
    r = TruckRoute("T", ("a", "b", "DUMP", "c", "d"))
    assert leftovers_first(r, {"c", "d"}).stops == ("c", "d", "a", "b", "DUMP")
    assert leftovers_first(r, set()) == r


def test_fixed_rejects_a_bad_setting() -> None:
    """k must be a positive integer."""
    with pytest.raises(ValueError):
        make_policy("fixed", "0")
    with pytest.raises(ValueError):
        make_policy("fixed", "two")
