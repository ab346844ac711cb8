"""Fill forecast types: the forecaster's parameters, the fleet prior and a bin's forecast. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

import numpy as np

from forecasting import weekly_profile as wp
from forecasting.weekly_profile import WeeklyProfile


class ForecastMethod(StrEnum):
    """How a bin's rate was obtained."""

    NO_DATA = "no_data"  # no readings: nothing is known about the bin
    FLEET_PRIOR = "fleet_prior"  # readings but no usable rising segment: fleet rate
    BIN_HISTORY = "bin_history"  # own segments, shrunk toward the fleet rate


@dataclass(frozen=True, slots=True)
class ForecastParams:
    """Tuning of the forecaster; levels are fillingLevel fractions, times hours.

    ``tz`` is the city's time zone (its profile's): the weekly profile runs on local time there.
    """

    tz: str
    drop_tol: float = 0.15
    spike_tol: float | None = 0.10  # None: no spike filter (e.g. for collection logs)
    spike_max_gap_h: float = 12.0
    max_gap_h: float | None = 72.0  # a longer gap ends a segment (an emptying may hide in it)
    min_segment_points: int = 2
    min_segment_span_h: float = 3.0
    outlier_tol: float = 0.08  # residual beyond this is dropped before the segment refit
    winsor_mads: float = 2.5
    span_power: float = 1.0  # segment weight ~ span**power (0: every segment counts the same)
    half_life_h: float | None = None  # recency weighting of segments (None: none)
    prior_hours: float = 24.0  # pseudo-hours of fleet rate (and band) added to each bin
    profile_strength: float = 0.1  # pseudo-fill (level units) per hour slot of fleet profile
    profile_iterations: int = 10
    band: tuple[float, float] = (0.1, 0.9)
    max_level: float = 1.0
    horizon_h: float = 60 * 24.0

    def __post_init__(self) -> None:
        if (
            self.drop_tol <= 0
            or self.outlier_tol <= 0
            or (self.spike_tol is not None and self.spike_tol <= 0)
        ):
            raise ValueError("drop_tol, spike_tol and outlier_tol must be positive.")
        if self.max_gap_h is not None and self.max_gap_h <= 0:
            raise ValueError("max_gap_h must be positive or None.")
        if self.min_segment_points < 2:
            raise ValueError("min_segment_points must be at least 2.")
        if self.prior_hours < 0 or self.profile_strength < 0:
            raise ValueError("prior_hours and profile_strength must be non-negative.")
        lo, hi = self.band
        if not 0.0 < lo < 0.5 < hi < 1.0:
            raise ValueError("band must be (low, high) quantiles with 0 < low < 0.5 < high < 1.")
        if self.half_life_h is not None and self.half_life_h <= 0:
            raise ValueError("half_life_h must be positive or None.")
        if self.span_power < 0:
            raise ValueError("span_power must be non-negative.")
        if self.max_level <= 0 or self.horizon_h <= 0:
            raise ValueError("max_level and horizon_h must be positive.")
        ZoneInfo(self.tz)  # raises on an unknown zone


@dataclass(frozen=True, slots=True)
class FleetModel:
    """What the fleet contributes to each bin: prior rate, profile and band shape."""

    rate_per_h: float
    profile: WeeklyProfile
    ratio_low: float = 0.5
    ratio_high: float = 1.6

    def __post_init__(self) -> None:
        if self.rate_per_h < 0:
            raise ValueError("fleet rate must be non-negative.")
        if not 0 <= self.ratio_low <= 1 <= self.ratio_high:
            raise ValueError("fleet ratio band must satisfy 0 <= low <= 1 <= high.")


@dataclass(frozen=True, slots=True)
class FillForecast:
    """A bin's fill forecast; ``full_at*`` is None when not reached within the horizon."""

    bin_id: str
    level_now: float | None  # estimated level at ``as_of``
    as_of: datetime | None  # time of the last reading
    rate_per_h: float  # mean over a week, fillingLevel per hour
    rate_low_per_h: float
    rate_high_per_h: float
    threshold: float
    full_at: datetime | None
    full_at_early: datetime | None
    full_at_late: datetime | None
    n_obs: int
    n_segments: int
    method: ForecastMethod
    profile: WeeklyProfile = field(repr=False)
    tz: str  # the time zone of ``profile``'s hours (the forecaster's ``ForecastParams.tz``)

    def level_at(self, t: datetime, which: str = "mid") -> float | None:
        """Predicted level at ``t`` (no emptying assumed); ``which`` is low, mid or high."""
        if self.level_now is None or self.as_of is None:
            return None
        rate = {"low": self.rate_low_per_h, "mid": self.rate_per_h, "high": self.rate_high_per_h}
        if t <= self.as_of:
            return self.level_now
        zone = ZoneInfo(self.tz)
        cum = self.profile.cumulative()
        h0 = wp.effective_clock(
            np.array([wp.local_hours(self.as_of, zone)]), cum[None, :], np.zeros(1, int)
        )
        h1 = wp.effective_clock(np.array([wp.local_hours(t, zone)]), cum[None, :], np.zeros(1, int))
        level = self.level_now + rate[which] * float(h1[0] - h0[0])
        return float(min(max(level, self.level_now), 1.0))
