"""Tests for forecasting.calibration: isotonic recalibration, reliability table, ECE."""

from __future__ import annotations

import numpy as np
import pytest

from forecasting.calibration import (
    Calibrator,
    expected_calibration_error,
    fit_isotonic,
    reliability,
)


def test_isotonic_fixes_overconfident_probabilities() -> None:
    """Probabilities twice too high are mapped back to the observed frequency."""
    rng = np.random.default_rng(1)
    true_p = rng.uniform(0, 0.5, 20_000)
    outcome = rng.random(true_p.size) < true_p
    raw = 2 * true_p
    assert expected_calibration_error(raw, outcome) > 0.15
    cal = fit_isotonic(raw, outcome)
    fresh = rng.uniform(0, 0.5, 20_000)
    fresh_outcome = rng.random(fresh.size) < fresh
    assert expected_calibration_error(cal.apply(2 * fresh), fresh_outcome) < 0.02
    assert np.all(np.diff(cal.apply(np.linspace(0, 1, 50))) >= 0)


def test_too_few_samples_give_identity() -> None:
    """With fewer pairs than min_samples the calibrator leaves probabilities alone."""
    cal = fit_isotonic([0.2, 0.8], [0, 1])
    assert cal.is_identity
    np.testing.assert_allclose(cal.apply([0.1, 0.7, 1.3]), [0.1, 0.7, 1.0])


def test_reliability_rows_and_ece() -> None:
    """Rows count predictions per bin; ECE weighs each bin's gap by its count."""
    p = np.array([0.05, 0.05, 0.95, 0.95, np.nan])
    y = np.array([0, 1, 1, 1, 1])
    rows = reliability(p, y, n_bins=10)
    assert [r.count for r in rows] == [2] + [0] * 8 + [2]
    assert rows[0].observed_rate == 0.5
    assert expected_calibration_error(p, y) == pytest.approx((2 * 0.45 + 2 * 0.05) / 4)


def test_calibrator_validates() -> None:
    """Knots must pair up, rise and be probabilities."""
    with pytest.raises(ValueError, match="same length"):
        Calibrator((0.1,), ())
    with pytest.raises(ValueError, match="non-decreasing"):
        Calibrator((0.5, 0.1), (0.1, 0.2))
    with pytest.raises(ValueError, match="probabilities"):
        Calibrator((0.1,), (1.5,))
