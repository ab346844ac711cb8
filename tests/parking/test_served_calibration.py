"""Served probabilities pass through the model's calibrator (removing it must fail a test)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from parking.isotonic import Calibrator
from parking.logistic import expit
from parking.model import N_FEATURES, ParkingModel, SiteInfo, forecast, predict_slots, predict_times
from parking.recalibration import NO_CALIBRATION, LeadCalibrator

SLOT_MIN = 60
N_SLOTS = 7 * 24


def _model(calibrator: LeadCalibrator = NO_CALIBRATION) -> ParkingModel:
    """One site, flat profiles, a raw P(free) of expit(2) at every lead, no count effect."""
    sites = SiteInfo(
        ("s1",), ("S1",), ("carpark",), np.array([100]), np.array([0.0]), np.array([0.0])
    )
    coef = np.zeros((2, N_FEATURES))
    coef[:, 0] = 2.0
    flat = np.full((1, N_SLOTS), 0.5, np.float32)
    return ParkingModel(
        sites,
        "UTC",
        SLOT_MIN,
        flat,
        flat,
        np.ones((1, N_SLOTS), np.float32),
        np.array([5.0, 600.0]),
        coef,
        np.zeros((2, 2)),
        calibrator,
    )


# a deliberately non-identity map: every probability squeezed into [0.2, 0.3]
SQUEEZE = Calibrator(np.array([0.0, 1.0]), np.array([0.2, 0.3]))
RAW = float(expit(np.array([2.0]))[0])


def _slots(model: ParkingModel, lead: float) -> np.ndarray:
    p, _ = predict_slots(
        model, np.array([0]), np.array([10]), np.array([10]), np.array([50.0]), np.array([lead])
    )
    return p


def test_predict_slots_applies_the_calibrator():
    """A squeezing calibrator moves predict_slots' output from the raw value into [0.2, 0.3]."""
    m = _model(LeadCalibrator(SQUEEZE))
    assert _slots(_model(), 30.0)[0] == pytest.approx(RAW)
    assert _slots(m, 30.0)[0] == pytest.approx(0.2 + 0.1 * RAW)


def test_uncalibrated_flag_bypasses_the_calibrator():
    """calibrated=False returns the raw probability even with a non-identity calibrator."""
    m = _model(LeadCalibrator(SQUEEZE))
    p, _ = predict_slots(
        m,
        np.array([0]),
        np.array([10]),
        np.array([10]),
        np.array([50.0]),
        np.array([30.0]),
        calibrated=False,
    )
    assert p[0] == pytest.approx(RAW)


def test_calibrator_band_follows_the_lead():
    """Per lead band: a short lead uses the first band's map, a long one (or no count) the last."""
    low = Calibrator(np.array([0.0, 1.0]), np.array([0.1, 0.1]))
    high = Calibrator(np.array([0.0, 1.0]), np.array([0.9, 0.9]))
    m = _model(LeadCalibrator(SQUEEZE, np.array([60.0]), (low, high)))
    assert _slots(m, 10.0)[0] == pytest.approx(0.1)
    assert _slots(m, 300.0)[0] == pytest.approx(0.9)
    p, _ = predict_times(m, np.array([0]), np.array([1000]), np.array([np.nan]), np.array([np.nan]))
    assert p[0] == pytest.approx(0.9)


def test_single_forecast_is_calibrated():
    """forecast() (the API's path) serves the calibrated probability, the profile view stays raw."""
    m = replace(_model(), calibrator=LeadCalibrator(SQUEEZE))
    at = datetime(2024, 3, 4, 12, tzinfo=UTC)
    f = forecast(m, "s1", at, last_free=40, last_seen=at - timedelta(minutes=30))
    assert f.p_free == pytest.approx(0.2 + 0.1 * RAW)
    assert f.profile_p_free == pytest.approx(0.5)
