"""Tests for simulations.bins_sim and simulations.fill_model."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from core.domain import Bin
from simulations.bins_sim import BinSimConfig, fill_readings, simulate_history
from simulations.fill_model import FillRateCalibration
from tests.cities import COPENHAGEN_TZ as TZ

START = datetime(2024, 5, 6, tzinfo=UTC)  # a Monday


def make_bins(n: int) -> list[Bin]:
    """``n`` plain bins."""
    return [Bin(f"B{k}", 12.57, 55.69, "Gade", "Indre By") for k in range(n)]


def test_history_is_seeded_and_levels_in_unit_interval() -> None:
    """Same seed, same history; levels and readings stay within [0, 1]."""
    bins = make_bins(200)
    a = simulate_history(bins, START, timedelta(days=3), timedelta(minutes=15), seed=9, tz=TZ)
    b = simulate_history(bins, START, timedelta(days=3), timedelta(minutes=15), seed=9, tz=TZ)
    assert np.array_equal(a.reading, b.reading)
    assert a.level.min() >= 0 and a.level.max() <= 1
    assert a.reading.min() >= 0 and a.reading.max() <= 1


def test_levels_rise_between_emptyings_and_drop_when_emptied() -> None:
    """True levels never fall except at emptying events, which reset them near zero."""
    h = simulate_history(
        make_bins(300), START, timedelta(days=4), timedelta(minutes=20), seed=2, tz=TZ
    )
    diff = np.diff(h.level, axis=0)
    assert (diff[~h.emptied[1:]] >= 0).all()
    assert h.emptied.any()
    assert (h.level[h.emptied] <= 0.03).all()


def test_emptying_only_in_rounds_hours() -> None:
    """Bins are emptied only during collection rounds (06-14 Copenhagen time)."""
    h = simulate_history(
        make_bins(300), START, timedelta(days=3), timedelta(minutes=30), seed=4, tz=TZ
    )
    hours = np.array(
        [t.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Copenhagen")).hour for t in h.times]
    )
    rows = np.flatnonzero(h.emptied.any(axis=1))
    assert rows.size > 0 and ((hours[rows] >= 6) & (hours[rows] < 14)).all()


def test_readings_in_time_order_with_counts() -> None:
    """fill_readings yields n_bins x steps records, timestamps non-decreasing and tz-aware."""
    recs = list(
        fill_readings(make_bins(20), START, timedelta(hours=2), timedelta(minutes=30), 1, tz=TZ)
    )
    assert len(recs) == 20 * 5
    times = [r.observed_at for r in recs]
    assert times == sorted(times) and times[0].tzinfo is not None
    assert all(0 <= r.filling_level <= 1 for r in recs)


def test_sensor_noise_is_small_but_present() -> None:
    """Readings differ from true levels by ~2.5 % typically, with rare spurious values."""
    cal = FillRateCalibration(spurious_prob=0.0)
    h = simulate_history(
        make_bins(500), START, timedelta(days=1), timedelta(minutes=30), 5, cal, tz=TZ
    )
    err = (h.reading - h.level)[(h.level > 0.1) & (h.level < 0.9)]
    assert 0.015 < err.std() < 0.035


def test_weekend_and_evening_fill_faster() -> None:
    """The time factor peaks at evening/weekend and is lowest at night."""
    cal = FillRateCalibration()
    assert cal.time_factor(18, 5) > cal.time_factor(18, 2) > cal.time_factor(3, 2)


def test_multi_day_history_shape() -> None:
    """A week of 1,000 bins every 15 minutes has one reading per bin and step, within [0, 1]."""
    h = simulate_history(
        make_bins(1000), START, timedelta(days=7), timedelta(minutes=15), seed=1, tz=TZ
    )
    assert h.reading.shape == (7 * 96 + 1, 1000)
    assert ((h.reading >= 0) & (h.reading <= 1)).all()


def test_bad_arguments_raise() -> None:
    """Naive start times and bad parameters are refused with a message."""
    with pytest.raises(ValueError, match="timezone"):
        simulate_history(
            make_bins(1), datetime(2024, 1, 1), timedelta(hours=1), timedelta(minutes=10), 1, tz=TZ
        )
    with pytest.raises(ValueError):
        BinSimConfig(collect_from=0)
    with pytest.raises(ValueError):
        FillRateCalibration(weekday_factor=(1.0,) * 6)
