"""Overflow probability and expected overflow from a forecast's rate band."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from forecasting import weekly_profile as wp
from forecasting.calibration import Calibrator
from simulations.loop.risk import UNKNOWN_P, Outlook, RiskModel
from tests.simulations.loop.grid import TZ

T0 = datetime(2024, 9, 3, 8, tzinfo=UTC)


def flat_outlook(level: list[float], rate: list[float], log_sd: float) -> Outlook:
    n = len(level)
    return Outlook(
        known=np.ones(n, bool),
        level_now=np.array(level),
        rate=np.array(rate),
        log_sd=np.full(n, log_sd),
        as_of_h=np.full(n, wp.local_hours(T0, ZoneInfo(TZ))),
        cum=np.tile(wp.WeeklyProfile.flat().cumulative(), (n, 1)),
    )


def test_probability_and_expected_overflow_match_monte_carlo() -> None:
    """P(full by t) and E[litter beyond capacity] agree with sampling the lognormal rate."""
    o = flat_outlook([0.5, 0.2, 1.0], [0.01, 0.005, 0.01], log_sd=0.4)
    model = RiskModel(level_sd=0.0, min_rate_share=0.0)
    p, excess = o.overflow(T0 + timedelta(hours=50), TZ, model)
    rng = np.random.default_rng(0)
    r = np.exp(np.log(o.rate)[:, None] + 0.4 * rng.standard_normal((3, 200_000)))
    final = o.level_now[:, None] + r * 50
    assert p[:2] == pytest.approx((final[:2] >= 1).mean(axis=1), abs=0.01)
    assert p[0] == pytest.approx(0.5, abs=0.01)
    assert excess[:2] == pytest.approx(np.maximum(final[:2] - 1, 0).mean(axis=1), abs=0.005)
    assert p[2] == 1.0 and excess[2] == pytest.approx(0.5)  # full now: all new litter overflows


def test_level_and_probability_grow_with_time() -> None:
    """Later horizons mean higher predicted levels and overflow probabilities."""
    o = flat_outlook([0.3, 0.6], [0.004, 0.004], log_sd=0.3)
    model = RiskModel()
    soon, later = T0 + timedelta(hours=10), T0 + timedelta(hours=80)
    assert (o.level_at(later, TZ) > o.level_at(soon, TZ)).all()
    assert (o.p_overflow(later, TZ, model) > o.p_overflow(soon, TZ, model)).all()
    assert o.level_at(soon, TZ)[0] == pytest.approx(0.34)


def test_expected_overflow_stays_bounded_for_a_runaway_band() -> None:
    """A band from ~0 to a fast rate (log-sd 7) or a huge rate gives a finite, capped excess."""
    o = flat_outlook([0.5, 0.5], [0.01, 1e12], log_sd=7.0)
    model = RiskModel()
    p, excess = o.overflow(T0 + timedelta(days=10), TZ, model)
    assert np.isfinite(excess).all() and (excess <= model.max_excess).all()
    assert (p >= 0).all() and (p <= 1).all()
    with pytest.raises(ValueError, match="max_log_sd"):
        RiskModel(max_log_sd=0.1)


def test_a_forecast_from_few_observations_is_judged_less_certain() -> None:
    """A bin known from a few drivers' reports (no sensor) gets at least ``sparse_log_sd``; one
    with a sensor's many readings keeps its own band."""
    from core.domain import Bin
    from forecasting.model import FillForecast, ForecastMethod
    from simulations.loop.risk import outlook

    def forecast(bin_id: str, n_obs: int) -> FillForecast:
        return FillForecast(
            bin_id, 0.5, T0, 0.01, 0.009, 0.011, 0.8, None, None, None, n_obs, 3,
            ForecastMethod.BIN_HISTORY, wp.WeeklyProfile.flat(), TZ,
        )  # fmt: skip

    bins = tuple(Bin(b, 12.5, 55.6, "Street", "D", capacity_l=100.0) for b in ("sensed", "blind"))
    model = RiskModel()
    o = outlook(bins, {"sensed": forecast("sensed", 300), "blind": forecast("blind", 6)}, model)
    assert o.log_sd[0] == pytest.approx(model.min_log_sd)
    assert o.log_sd[1] == pytest.approx(model.sparse_log_sd)
    p = o.p_overflow(T0 + timedelta(hours=30), TZ, model)
    assert p[1] > p[0]  # same central forecast, wider band: more likely to overflow by then


def test_the_probability_passes_through_the_models_calibrator() -> None:
    """A non-identity calibrator maps every known bin's raw probability; unknown bins keep
    UNKNOWN_P; the expected overflow is not recalibrated."""
    o = flat_outlook([0.5, 0.2, 0.9], [0.01, 0.005, 0.01], log_sd=0.4)
    until = T0 + timedelta(hours=50)
    raw_p, raw_excess = o.overflow(until, TZ, RiskModel())
    halve = Calibrator((0.0, 1.0), (0.0, 0.5))
    p, excess = o.overflow(until, TZ, RiskModel(calibrator=halve))
    assert p == pytest.approx(raw_p / 2)
    assert o.p_overflow(until, TZ, RiskModel(calibrator=halve)) == pytest.approx(raw_p / 2)
    assert excess == pytest.approx(raw_excess)
    unknown = replace(o, known=np.array([False, True, True]))
    assert unknown.p_overflow(until, TZ, RiskModel(calibrator=halve))[0] == UNKNOWN_P
