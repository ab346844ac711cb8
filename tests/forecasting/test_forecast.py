"""Tests for forecasting.forecast: rate recovery, emptying, noise, threshold crossing, bands."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.domain import Bin
from core.records import FillReading
from forecasting.forecast import (
    FleetModel,
    ForecastMethod,
    ForecastParams,
    WeeklyProfile,
    fit_fleet,
    forecast_arrays,
    forecast_fleet,
)
from forecasting.weekly_profile import WEEK_H
from tests.cities import COPENHAGEN_TZ as TZ

T0 = datetime(2024, 3, 4, tzinfo=UTC)  # a Monday
FLAT = ForecastParams(TZ, profile_strength=1e9)  # profile pinned to the (flat) fleet profile


def _bin(bin_id: str = "b1", threshold: float = 0.8) -> Bin:
    return Bin(bin_id, 12.5, 55.7, "Street", "District", threshold=threshold)


def _series(
    bin_id: str,
    rate: float,
    hours: int,
    start: float = 0.0,
    noise: float = 0.0,
    seed: int = 0,
    empty_every: int | None = None,
) -> list[FillReading]:
    rng = np.random.default_rng(seed)
    out, level = [], start
    for k in range(hours):
        if empty_every and k and k % empty_every == 0:
            level = 0.02
        y = float(np.clip(level + rng.normal(0.0, noise), 0.0, 1.0)) if noise else level
        out.append(FillReading(bin_id, T0 + timedelta(hours=k), y))
        level += rate
    return out


def test_constant_rate_recovered() -> None:
    """A clean linear series yields its rate and current level."""
    f = forecast_fleet([_bin()], _series("b1", 0.01, 40, start=0.1), FLAT)["b1"]
    assert f.rate_per_h == pytest.approx(0.01, rel=1e-3)
    assert f.level_now == pytest.approx(0.1 + 0.39, abs=1e-6)
    assert f.method is ForecastMethod.BIN_HISTORY


def test_threshold_crossing_time() -> None:
    """The crossing time solves level_now + rate * dt = threshold."""
    f = forecast_fleet([_bin(threshold=0.8)], _series("b1", 0.01, 31, start=0.2), FLAT)["b1"]
    assert f.as_of == T0 + timedelta(hours=30)
    expected = f.as_of + timedelta(hours=(0.8 - 0.5) / 0.01)
    assert f.full_at is not None
    assert abs((f.full_at - expected).total_seconds()) < 60


def test_emptying_events_segment_the_series() -> None:
    """Drops from emptyings do not lower the rate; the current level is the post-emptying one."""
    rs = _series("b1", 0.02, 100, empty_every=30)
    f = forecast_fleet([_bin()], rs, FLAT)["b1"]
    assert f.rate_per_h == pytest.approx(0.02, rel=0.01)
    assert f.n_segments == 4
    assert f.level_now == pytest.approx(0.02 + 9 * 0.02, abs=1e-6)


def test_noise_and_spikes_are_tolerated() -> None:
    """Sensor noise of 3 % and spurious +40 % spikes leave the rate within 10 %."""
    rs = _series("b1", 0.005, 150, start=0.05, noise=0.03, seed=3)
    rs = [
        FillReading(r.sensor_id, r.observed_at, min(r.filling_level + 0.4, 1.0))
        if k in (20, 77, 120)
        else r
        for k, r in enumerate(rs)
    ]
    f = forecast_fleet([_bin()], rs, FLAT)["b1"]
    assert f.rate_per_h == pytest.approx(0.005, rel=0.10)
    assert f.n_segments == 1


def test_gap_does_not_hide_an_emptying() -> None:
    """A long gap ends a segment, so a hidden emptying cannot bias the slope."""
    rs = _series("b1", 0.01, 20, start=0.3) + [
        FillReading("b1", T0 + timedelta(hours=200 + k), 0.1 + 0.01 * k) for k in range(20)
    ]
    f = forecast_fleet([_bin()], rs, FLAT)["b1"]
    assert f.n_segments == 2
    assert f.rate_per_h == pytest.approx(0.01, rel=1e-3)


def test_no_readings_single_reading_and_just_emptied() -> None:
    """No data gives no forecast; one reading or a fresh emptying falls back on the fleet."""
    fleet = FleetModel(0.01, WeeklyProfile.flat())
    one = [FillReading("one", T0, 0.5)]
    emptied = [FillReading("emp", T0 + timedelta(hours=k), 0.9) for k in range(3)] + [
        FillReading("emp", T0 + timedelta(hours=3), 0.0)
    ]
    out = forecast_fleet([_bin("none"), _bin("one"), _bin("emp")], one + emptied, FLAT, fleet)
    assert out["none"].method is ForecastMethod.NO_DATA and out["none"].full_at is None
    assert out["none"].level_at(T0) is None
    assert out["one"].method is ForecastMethod.FLEET_PRIOR
    assert out["one"].rate_per_h == pytest.approx(0.01)
    assert out["emp"].level_now == pytest.approx(0.0)
    assert out["emp"].full_at is not None and out["emp"].full_at > T0 + timedelta(hours=60)


def test_sparse_bin_shrinks_toward_fleet_rate() -> None:
    """A bin with little history lies between its own rate and the fleet rate."""
    fleet = FleetModel(0.002, WeeklyProfile.flat())
    f = forecast_fleet([_bin()], _series("b1", 0.02, 7), FLAT, fleet)["b1"]
    assert 0.002 < f.rate_per_h < 0.02


def test_weekly_profile_is_learned() -> None:
    """Bins filling only in daytime hours get a profile with little night weight."""
    rs = []
    for b in range(20):
        level = 0.0
        for k in range(24 * 21):
            hour = k % 24
            level += 0.006 if 8 <= hour < 20 else 0.0
            if level > 0.9:
                level = 0.0
            rs.append(FillReading(f"b{b}", T0 + timedelta(hours=k), level))
    fleet = fit_fleet(rs, ForecastParams(tz="UTC", profile_strength=0.01))
    w = np.asarray(fleet.profile.weights).reshape(7, 24)
    assert w[:, 9:19].mean() > 5 * w[:, 0:6].mean()
    assert fleet.rate_per_h == pytest.approx(0.003, rel=0.1)


def test_fleet_of_1000_bins_in_one_call() -> None:
    """1,000 bins x 300 readings are forecast in one call (speed: benchmarks/plan_day.py)."""
    rng = np.random.default_rng(1)
    n_bins, n = 1000, 300
    rates = rng.uniform(0.002, 0.02, n_bins)
    k = np.arange(n)
    level = (rates[:, None] * k[None, :] + 0.05) % 0.9 + rng.normal(0, 0.02, (n_bins, n))
    ids = np.repeat([f"b{i}" for i in range(n_bins)], n)
    t = T0.timestamp() + np.tile(k * 3600.0, n_bins)
    bins = [_bin(f"b{i}") for i in range(n_bins)]
    fleet = FleetModel(0.01, WeeklyProfile.flat())
    out = forecast_arrays(bins, ids, t, np.clip(level, 0, 1).ravel(), ForecastParams(TZ), fleet)
    assert len(out) == n_bins
    assert all(f.method is ForecastMethod.BIN_HISTORY and f.rate_per_h > 0 for f in out.values())


def test_params_validate() -> None:
    """Invalid parameters are refused with a message."""
    with pytest.raises(ValueError, match="band"):
        ForecastParams(TZ, band=(0.6, 0.9))
    with pytest.raises(ValueError, match="168"):
        WeeklyProfile((1.0,) * (WEEK_H - 1))


@settings(max_examples=30, deadline=None)
@given(
    rate=st.floats(0.001, 0.05),
    start=st.floats(0.0, 0.6),
    noise=st.floats(0.0, 0.03),
    seed=st.integers(0, 1000),
    hours=st.lists(st.floats(0.0, 200.0), min_size=2, max_size=6),
)
def test_levels_monotone_and_bands_ordered(
    rate: float, start: float, noise: float, seed: int, hours: list[float]
) -> None:
    """Predicted level never falls with time; early <= mid <= late and low <= mid <= high."""
    f = forecast_fleet([_bin()], _series("b1", rate, 24, start, noise, seed), ForecastParams(TZ))[
        "b1"
    ]
    assert f.as_of is not None
    times = [f.as_of + timedelta(hours=h) for h in sorted(hours)]
    levels = [f.level_at(t) for t in times]
    assert all(
        a is not None and b is not None and a <= b + 1e-12
        for a, b in zip(levels, levels[1:], strict=False)
    )
    for t in times:
        lo, mid, hi = (f.level_at(t, w) for w in ("low", "mid", "high"))
        assert lo is not None and mid is not None and hi is not None
        assert lo <= mid + 1e-12 <= hi + 2e-12
    if f.full_at is not None:
        assert f.full_at_early is not None
        assert f.full_at_early <= f.full_at
        assert f.full_at_late is None or f.full_at <= f.full_at_late
