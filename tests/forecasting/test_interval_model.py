"""Tests for forecasting.interval_model: concave rise, shrinkage, no look-ahead, calibrated P."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from forecasting.calibration import Calibrator
from forecasting.interval_model import IntervalParams, fit_interval_model, predict_interval

T0 = datetime(2024, 3, 4, tzinfo=UTC).timestamp()  # a Monday
PARAMS = IntervalParams(tz="UTC")


def _log(n_sites: int = 40, n_events: int = 30, seed: int = 0) -> tuple[list[str], ...]:
    """Emptyings whose level before follows a concave curve of the interval, per-site scaled."""
    rng = np.random.default_rng(seed)
    ids, ts, before = [], [], []
    for s in range(n_sites):
        scale = 0.6 + 0.4 * s / n_sites
        t = T0 + rng.uniform(0, 24) * 3600
        for _ in range(n_events):
            gap = rng.uniform(6, 120)
            t += gap * 3600
            level = scale * min(1.0, 0.35 + 0.15 * np.log(gap)) + rng.normal(0, 0.02)
            ids.append(f"s{s}")
            ts.append(t)
            before.append(float(np.clip(level, 0, 1)))
    return ids, np.array(ts), np.array(before), np.zeros(len(ts))


def test_rise_is_concave_in_hours_since_emptying() -> None:
    """Doubling the time since the last emptying adds far less than double the fill."""
    ids, ts, before, after = _log()
    model = fit_interval_model(ids, ts, before, after, PARAMS)
    last = ts[np.array(ids) == "s20"].max()
    q = predict_interval(
        model,
        ids,
        ts,
        before,
        after,
        ["s20", "s20"],
        np.array([last + 12 * 3600, last + 24 * 3600]),
    )
    assert 0.2 < q.level[0] < q.level[1] < 2 * q.level[0]
    assert q.hours_since_emptying == pytest.approx([12.0, 24.0])


def test_busier_site_forecast_higher() -> None:
    """Per-bin evidence moves the forecast: the fuller site is predicted fuller."""
    ids, ts, before, after = _log()
    model = fit_interval_model(ids, ts, before, after, PARAMS)
    at = ts.max() + 30 * 3600
    q = predict_interval(model, ids, ts, before, after, ["s0", "s39"], np.array([at, at]))
    assert q.level[1] - q.level[0] > 0.1


def test_query_uses_only_earlier_emptyings() -> None:
    """Changing an emptying at or after the query time leaves the forecast unchanged."""
    ids, ts, before, after = _log()
    model = fit_interval_model(ids, ts, before, after, PARAMS)
    site = np.array(ids) == "s5"
    at = ts[site][10]  # the query coincides with the 11th emptying
    q1 = predict_interval(model, ids, ts, before, after, ["s5"], np.array([at]))
    later = np.flatnonzero(site)[10:]
    changed_b, changed_a = before.copy(), after.copy()
    changed_b[later], changed_a[later] = 0.0, 0.5
    q2 = predict_interval(model, ids, ts, changed_b, changed_a, ["s5"], np.array([at]))
    assert q1.hours_since_emptying[0] == pytest.approx((at - ts[site][9]) / 3600)
    assert q1.level[0] > 0.1
    assert q1.level[0] == q2.level[0]
    assert q1.p_full_raw[0] == q2.p_full_raw[0]


def test_unknown_site_is_nan_and_too_little_data_refused() -> None:
    """A site without an earlier emptying gets nan; fitting on a handful of intervals raises."""
    ids, ts, before, after = _log()
    model = fit_interval_model(ids, ts, before, after, PARAMS)
    q = predict_interval(model, ids, ts, before, after, ["nowhere"], np.array([ts.max()]))
    assert np.isnan(q.level[0]) and np.isnan(q.p_full[0])
    with pytest.raises(ValueError, match="too few"):
        fit_interval_model(ids[:5], ts[:5], before[:5], after[:5], PARAMS)


def test_served_probability_passes_through_the_calibrator() -> None:
    """p_full is the model's calibrator applied to the raw probability, not the raw one."""
    ids, ts, before, after = _log()
    model = fit_interval_model(ids, ts, before, after, PARAMS)
    at = np.array([ts.max() + 48 * 3600] * 3)
    raw = predict_interval(model, ids, ts, before, after, ["s1", "s20", "s39"], at)
    np.testing.assert_allclose(raw.p_full, raw.p_full_raw)  # identity calibrator
    squash = Calibrator((0.0, 1.0), (0.25, 0.5))
    cal = predict_interval(
        model.with_calibrator(squash), ids, ts, before, after, ["s1", "s20", "s39"], at
    )
    np.testing.assert_allclose(cal.p_full, 0.25 + 0.25 * raw.p_full_raw)
    np.testing.assert_allclose(cal.level, raw.level)


def test_params_validate() -> None:
    """Invalid parameters raise ValueError naming the problem."""
    with pytest.raises(ValueError, match="shrink_intervals"):
        IntervalParams("UTC", shrink_intervals=-1.0)
    with pytest.raises(ValueError, match="full_level"):
        IntervalParams("UTC", full_level=1.5)
