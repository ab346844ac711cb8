"""Recency-weighted profiles and the level term follow a level that moves."""

from __future__ import annotations

import numpy as np
import pytest

from parking.profiles import ProfileConfig, build_profiles, recency_weights
from parking.table import build_table

WEEK = 7 * 1440
NOON_MON = 12 * 60  # epoch minute 0 is a Thursday; day 4 is a Monday
MONDAY = 4 * 1440


def _shifted_site(weeks: int = 6, shift_week: int = 4):
    """One car park seen every Monday-Friday noon: 60 % free, then 20 % free from ``shift_week``."""
    t, free = [], []
    for w in range(weeks):
        for d in range(5):
            t.append(MONDAY + w * WEEK + d * 1440 + NOON_MON)
            free.append(60 if w < shift_week else 20)
    n = len(t)
    table = build_table(("p",), ["p"] * n, np.array(t), np.array(free), np.full(n, 100))
    return table, (0 * 1440 + NOON_MON) // 30  # Monday noon slot (slot 0 = Monday 00:00)


def _rate(table, slot, **kwargs):
    cfg = ProfileConfig(kappa=0.0, smooth=(1.0,), **kwargs)
    return float(build_profiles(table, ("carpark",), "UTC", cfg).free_rate[0, slot])


def test_equal_weights_average_all_weeks():
    """Without a half-life the profile is the plain mean over the six weeks."""
    table, slot = _shifted_site()
    assert _rate(table, slot) == pytest.approx((4 * 0.6 + 2 * 0.2) / 6)


def test_short_half_life_follows_the_recent_level():
    """A one-week half-life puts the profile near the last two weeks' 20 % free."""
    table, slot = _shifted_site()
    assert _rate(table, slot, half_life_days=7.0) < 0.3 < _rate(table, slot)


def test_level_term_adds_the_recent_residual():
    """The level term moves an equal-weight profile onto the last week's level."""
    table, slot = _shifted_site()
    assert _rate(table, slot, level_days=7.0) == pytest.approx(0.2, abs=1e-6)


def test_ratio_level_scales_occupancy():
    """The ratio level scales the profile's occupancy by observed over expected occupancy in the
    last days: six weeks of 40 % then 80 % occupied (mean 53.3 %) scaled by 0.8 / 0.533."""
    table, slot = _shifted_site()
    occ = 1 - (4 * 0.6 + 2 * 0.2) / 6
    expected = 1 - occ * (0.8 / occ)
    assert _rate(table, slot, level_days=7.0, level_ratio=True) == pytest.approx(expected, abs=1e-6)


def test_ratio_level_leaves_an_empty_slot_empty():
    """Scaling occupancy keeps a slot with no occupancy at all free (an additive level would
    move it too): a site full at noon and empty at night keeps its empty nights."""
    t, free = [], []
    for w in range(4):
        for d in range(5):
            day = MONDAY + w * WEEK + d * 1440
            t += [day + NOON_MON, day + 2 * 60]
            free += [50 if w < 3 else 10, 100]
    n = len(t)
    table = build_table(("p",), ["p"] * n, np.array(t), np.array(free), np.full(n, 100))
    night = (2 * 60) // 30
    assert _rate(table, night, level_days=7.0, level_ratio=True) == pytest.approx(1.0)
    assert _rate(table, night, level_days=7.0) < 1.0


def test_recency_weights_halve_per_half_life():
    """A row one half-life older than the latest weighs half as much; None weighs all the same."""
    w = recency_weights(np.array([0, 7 * 1440, 14 * 1440]), 7.0)
    assert w.tolist() == pytest.approx([0.25, 0.5, 1.0])
    assert recency_weights(np.array([0, 5]), None).tolist() == [1.0, 1.0]


@pytest.mark.parametrize(
    "kwargs",
    [{"half_life_days": 0.0}, {"half_life_days": -7.0}, {"level_days": -1.0}],
)
def test_invalid_recency_options_are_rejected(kwargs):
    """Bad recency or level options raise ValueError at construction."""
    with pytest.raises(ValueError):
        ProfileConfig(**kwargs)
