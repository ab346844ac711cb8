"""Fill-level model for street litter bins: place, hour-of-day and weekday effects, sensor noise.

Pure. Rates are fractions of the physical bin per day. The per-bin mean daily rate is lognormal
(fitted on real Edinburgh Enevo sensor data, :mod:`simulations.edinburgh_fit`); a bin's place
(busier, more central streets) scales it; the hour-of-day profile has lunch and evening peaks and
the weekday profile comes from the fit. Ultrasonic readings get Gaussian noise and occasional
spurious values (lid obstruction, condensation).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

# Relative litter deposition by local hour (Copenhagen street bins; assumption, not fitted: the
# Edinburgh file has collection times, not deposits). Normalised to mean 1 at construction.
HOURLY_LITTER_PROFILE: tuple[float, ...] = (
    0.35,
    0.25,
    0.15,
    0.10,
    0.10,
    0.15,
    0.35,
    0.70,
    1.00,
    1.05,
    1.10,
    1.30,
    1.60,
    1.50,
    1.25,
    1.20,
    1.35,
    1.50,
    1.55,
    1.45,
    1.30,
    1.10,
    0.80,
    0.55,
)

# Fitted on /work/shared/data/bins/edinburgh_enevo_collections_2016.csv with
#   .venv/bin/python -m simulations.edinburgh_fit
# -> 327 bins with usable intervals: per-bin mean daily fill rate (fraction of the physical bin,
# fill_before_pct x 0.8 / 100 over the 0.1-14 days since the previous collection) lognormal with
# mu = -1.1562, sigma = 0.6252 (median 0.315/day, mean 0.383/day); weekday factors Mon..Sun
# 0.9684, 0.9616, 0.9042, 0.9552, 1.0198, 1.1245, 1.0663 (weekend peak).
FITTED_LOG_MU = -1.1562
FITTED_LOG_SIGMA = 0.6252
FITTED_WEEKDAY = (0.9684, 0.9616, 0.9042, 0.9552, 1.0198, 1.1245, 1.0663)


@dataclass(frozen=True)
class FillRateCalibration:
    """Parameters of the fill model; validated at construction."""

    log_mu: float = FITTED_LOG_MU  # lognormal mu of per-bin mean daily fill rate
    log_sigma: float = FITTED_LOG_SIGMA
    weekday_factor: tuple[float, ...] = FITTED_WEEKDAY  # Monday first, mean ~1
    hourly_profile: tuple[float, ...] = HOURLY_LITTER_PROFILE
    noise_sd: float = 0.025  # ultrasonic sensor noise, fraction of the bin
    spurious_prob: float = 0.005  # chance a reading is spurious (random value)
    n_bins_fitted: int = 0
    _hourly: FloatArray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.log_sigma <= 0:
            raise ValueError("log_sigma must be positive.")
        if len(self.weekday_factor) != 7 or min(self.weekday_factor) <= 0:
            raise ValueError("weekday_factor must be 7 positive numbers, Monday first.")
        if len(self.hourly_profile) != 24 or min(self.hourly_profile) < 0:
            raise ValueError("hourly_profile must be 24 non-negative numbers.")
        if sum(self.hourly_profile) <= 0:
            raise ValueError("hourly_profile must not be all zero.")
        if not 0 <= self.noise_sd < 0.5 or not 0 <= self.spurious_prob < 1:
            raise ValueError("noise_sd must be in [0, 0.5) and spurious_prob in [0, 1).")
        hourly = np.asarray(self.hourly_profile, dtype=np.float64)
        object.__setattr__(self, "_hourly", hourly / hourly.mean())

    @property
    def median_daily_rate(self) -> float:
        return float(np.exp(self.log_mu))

    def time_factor(self, local_hour: npt.ArrayLike, weekday: npt.ArrayLike) -> FloatArray:
        """Multiplier of the mean rate at local hours (may be fractional) and weekdays (Mon=0)."""
        h = np.asarray(local_hour, dtype=np.float64) % 24
        lo = np.floor(h).astype(np.int64)
        frac = h - lo
        hourly = self._hourly[lo] * (1 - frac) + self._hourly[(lo + 1) % 24] * frac
        wd = np.asarray(self.weekday_factor)[np.asarray(weekday, dtype=np.int64) % 7]
        return hourly * wd


DEFAULT_CALIBRATION = FillRateCalibration()


def bin_daily_rates(
    n: int,
    calibration: FillRateCalibration,
    rng: np.random.Generator,
    activity: npt.ArrayLike | None = None,
) -> FloatArray:
    """Mean daily fill rate per bin: lognormal draw x place activity (mean-1 weights)."""
    rates = rng.lognormal(calibration.log_mu, calibration.log_sigma, size=n)
    if activity is not None:
        a = np.asarray(activity, dtype=np.float64)
        if a.shape != (n,) or (a <= 0).any():
            raise ValueError("activity must be n positive weights.")
        rates *= a / a.mean()
    return rates


def increments(
    daily_rates: FloatArray,
    factor: float | FloatArray,
    dt_s: float,
    rng: np.random.Generator,
) -> FloatArray:
    """Litter added in one step: expected rate x time factor x dt, with lumpy (gamma) noise."""
    mean = daily_rates * factor * (dt_s / 86_400.0)
    return mean * rng.gamma(2.0, 0.5, size=daily_rates.shape)


def sensor_readings(
    level: FloatArray, calibration: FillRateCalibration, rng: np.random.Generator
) -> FloatArray:
    """Noisy ultrasonic readings of true levels, clipped to [0, 1], with spurious values."""
    noisy = level + rng.normal(0.0, calibration.noise_sd, size=level.shape)
    spurious = rng.random(level.shape) < calibration.spurious_prob
    noisy = np.where(spurious, rng.random(level.shape), noisy)
    return np.clip(noisy, 0.0, 1.0)


def empty_level(n: int, rng: np.random.Generator) -> FloatArray:
    """Level just after emptying: a little residue (0-3 %)."""
    return rng.uniform(0.0, 0.03, size=n)
