"""Scores and calibration tools."""

from __future__ import annotations

import numpy as np

from parking.isotonic import (
    ece_below,
    expected_calibration_error,
    fit_isotonic,
    max_calibration_gap,
    reliability,
)
from parking.metrics import brier, log_loss, score


def test_perfect_and_coin_flip_brier():
    """Brier is 0 for certain correct forecasts and 0.25 for always 0.5."""
    y = np.array([0, 1, 1, 0, 1], dtype=float)
    assert brier(y, y) == 0.0
    assert brier(np.full(5, 0.5), y) == 0.25


def test_log_loss_is_finite_for_hard_wrong_forecasts():
    """A 0/1 forecast that is wrong gets a large but finite log loss (clipped)."""
    assert 5 < log_loss(np.array([0.0]), np.array([1.0])) < 20


def test_ece_small_for_calibrated_and_large_for_distorted_forecasts():
    """Forecasts drawn from their own probabilities score near 0; squashed ones do not."""
    rng = np.random.default_rng(0)
    p = rng.uniform(size=50_000)
    y = (rng.uniform(size=p.size) < p).astype(float)
    assert expected_calibration_error(p, y) < 0.01
    assert expected_calibration_error(0.5 + 0.4 * (p - 0.5), y) > 0.05


def test_isotonic_recalibration_repairs_a_distorted_forecast():
    """Fitting on one half and applying to the other lowers ECE and keeps the map monotone."""
    rng = np.random.default_rng(1)
    p = rng.uniform(size=40_000)
    y = (rng.uniform(size=p.size) < p).astype(float)
    raw = p**3
    cal = fit_isotonic(raw[:20_000], y[:20_000])
    assert np.all(np.diff(cal.y) >= 0)
    fixed = cal(raw[20_000:])
    assert (
        expected_calibration_error(fixed, y[20_000:])
        < expected_calibration_error(raw[20_000:], y[20_000:]) / 3
    )


def test_reliability_counts_every_forecast():
    """The reliability bins together hold every forecast once."""
    p = np.linspace(0, 1, 101)
    assert reliability(p, p > 0.5).count.sum() == 101


def test_score_reports_all_keys_and_zero_error_for_exact_counts():
    """Exact counts have zero MAE; all seven scores are present."""
    free = np.array([0, 3, 5])
    s = score((free > 0).astype(float), free.astype(float), free, np.array([5, 5, 5]))
    assert set(s) == {"brier", "log_loss", "ece", "ece_low", "max_gap", "mae_free", "mae_rate"}
    assert s["mae_free"] == 0.0 and s["brier"] == 0.0


def test_low_probability_ece_sees_a_gap_that_mass_weighted_ece_hides():
    """90 % calibrated forecasts near 1 dilute a 0.2 gap at 0.4; ECE below 0.8 shows it whole."""
    rng = np.random.default_rng(2)
    high = rng.uniform(0.9, 1.0, size=45_000)
    p = np.concatenate([high, np.full(5_000, 0.4)])
    truth = np.concatenate([high, np.full(5_000, 0.2)])
    y = (rng.uniform(size=p.size) < truth).astype(float)
    assert expected_calibration_error(p, y) < 0.03
    assert abs(ece_below(p, y) - 0.2) < 0.02
    assert np.isnan(ece_below(high, y[:45_000]))


def test_max_gap_ignores_bins_with_too_few_forecasts():
    """A badly calibrated bin of 100 forecasts does not count; one of 1000 does."""
    rng = np.random.default_rng(3)
    p = rng.uniform(0.5, 1.0, size=20_000)
    y = (rng.uniform(size=p.size) < p).astype(float)
    for n, big in ((100, False), (1_000, True)):
        pp = np.concatenate([p, np.full(n, 0.05)])
        yy = np.concatenate([y, np.ones(n)])
        assert (max_calibration_gap(pp, yy, min_count=500) > 0.5) is big
