"""Isotonic recalibration per lead band with a pooled fall-back."""

from __future__ import annotations

import numpy as np
import pytest

from parking.isotonic import IDENTITY, expected_calibration_error
from parking.recalibration import LeadCalibrator, fit_lead_calibrator

EDGES = (10, 30, 120, 720)


def _opposite_bands(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Raw forecasts over-confident at leads ≤ 10 min (truth p²) and under-confident beyond
    (truth √p), half the samples each."""
    rng = np.random.default_rng(seed)
    raw = rng.uniform(size=n)
    lead = np.where(rng.uniform(size=n) < 0.5, rng.uniform(1, 10, n), rng.uniform(60, 2000, n))
    truth = np.where(lead <= 10, raw**2, np.sqrt(raw))
    y = (rng.uniform(size=n) < truth).astype(float)
    return raw, y, lead


def test_every_band_map_is_monotone_in_the_raw_forecast():
    """At any fixed lead (or none) the calibrated forecast never falls as the raw one rises."""
    raw, y, lead = _opposite_bands(60_000, 0)
    cal = fit_lead_calibrator(raw, y, lead, EDGES, min_samples=2000)
    grid = np.linspace(0, 1, 501)
    for at in (1.0, 10.0, 11.0, 45.0, 500.0, 5000.0, np.nan):
        out = cal(grid, np.full(grid.shape, at))
        assert np.all(np.diff(out) >= 0), at
    assert all(np.all(np.diff(b.y) >= 0) for b in cal.bands)


def test_bands_repair_opposite_miscalibration_that_a_pooled_map_cannot():
    """Held out, band maps bring each band's ECE below 0.02; the pooled map leaves it > 0.05."""
    raw, y, lead = _opposite_bands(80_000, 1)
    cal = fit_lead_calibrator(raw[:40_000], y[:40_000], lead[:40_000], EDGES, min_samples=2000)
    p, yt, lt = raw[40_000:], y[40_000:], lead[40_000:]
    banded, pooled = cal(p, lt), cal.pooled_only()(p, lt)
    for band in (lt <= 10, lt > 10):
        assert expected_calibration_error(pooled[band], yt[band]) > 0.05
        assert expected_calibration_error(banded[band], yt[band]) < 0.02


def test_thin_band_falls_back_to_the_pooled_map():
    """A band with fewer than min_samples calibration forecasts predicts with the pooled map."""
    raw, y, lead = _opposite_bands(40_000, 2)
    lead = np.where(lead > 10, lead, 3.0)
    lead[:100] = 20.0  # only 100 samples in the 10–30 min band
    cal = fit_lead_calibrator(raw, y, lead, EDGES, min_samples=2000)
    grid = np.linspace(0, 1, 101)
    assert cal.band_samples[1] == 100
    np.testing.assert_array_equal(cal(grid, np.full(101, 20.0)), cal.pooled(grid))
    assert not np.array_equal(cal(grid, np.full(101, 3.0)), cal.pooled(grid))


def test_band_edges_are_inclusive_upper_ends_and_missing_leads_go_last():
    """Lead 10 is in the first band, 10.5 in the second, NaN and 10 000 in the last."""
    cal = LeadCalibrator(IDENTITY, np.array(EDGES, float))
    assert cal.band_of(np.array([10.0, 10.5, np.nan, 10_000.0])).tolist() == [0, 1, 4, 4]


def test_inconsistent_bands_are_rejected():
    """One map per band is required and edges must increase."""
    with pytest.raises(ValueError, match="one map per lead band"):
        LeadCalibrator(IDENTITY, np.array([10.0, 30.0]), (IDENTITY,))
    with pytest.raises(ValueError, match="strictly increasing"):
        LeadCalibrator(IDENTITY, np.array([30.0, 10.0]))
