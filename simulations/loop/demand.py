"""The litter every policy faces: deposits per bin and hour, drawn from the seed alone.

Common random numbers: nothing here depends on a policy, so every policy of a study meets the
same city. Per-bin mean daily rates are the Edinburgh-calibrated lognormal
(:func:`simulations.fill_model.bin_daily_rates`) scaled by the bin's street activity; each hour
adds that rate x the hour-of-day and weekday profile, in lumpy gamma amounts
(:func:`simulations.fill_model.increments`). The starting contents are the skewed spread of
:func:`simulations.bins_sim.initial_levels`. Within an hour litter arrives at a steady pace, so
the cumulative deposit is piecewise linear in time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from simulations.bins_sim import initial_levels
from simulations.fill_model import FillRateCalibration, bin_daily_rates, increments
from simulations.loop.clock import Clock

FloatArray = npt.NDArray[np.float64]
STREAM_DEPOSITS = 11  # seed sequence key of the deposits' generator


@dataclass(frozen=True, eq=False)
class Deposits:
    """Litres per bin: ``hourly[h, b]`` deposited during sim hour ``h``; ``initial[b]`` at t=0."""

    hourly: FloatArray
    initial: FloatArray
    daily_rate_l: FloatArray  # each bin's mean litres per day (before hour and weekday factors)
    cumulative: FloatArray = field(init=False, repr=False)  # (H + 1, n): litres up to hour h

    def __post_init__(self) -> None:
        if self.hourly.ndim != 2 or self.initial.shape != (self.hourly.shape[1],):
            raise ValueError("hourly must be (hours, bins) and initial one value per bin.")
        if (self.hourly < 0).any() or (self.initial < 0).any():
            raise ValueError("deposits must be non-negative.")
        cum = np.vstack([np.zeros((1, self.hourly.shape[1])), np.cumsum(self.hourly, axis=0)])
        object.__setattr__(self, "cumulative", cum)

    @property
    def n_hours(self) -> int:
        return int(self.hourly.shape[0])

    def cum_at(self, t_h: float) -> FloatArray:
        """Litres deposited in each bin from t=0 to sim hours ``t_h`` (linear within an hour)."""
        t = min(max(float(t_h), 0.0), float(self.n_hours))
        k = min(int(t), self.n_hours - 1)
        return self.cumulative[k] + (t - k) * self.hourly[k]

    def cum_at_bin(self, b: int, t_h: float) -> float:
        t = min(max(float(t_h), 0.0), float(self.n_hours))
        k = min(int(t), self.n_hours - 1)
        return float(self.cumulative[k, b] + (t - k) * self.hourly[k, b])

    def time_reaching(self, b: int, litres: float) -> float:
        """First sim hour at which bin ``b`` has received ``litres`` since t=0 (inf: never)."""
        col = self.cumulative[:, b]
        if litres <= 0:
            return 0.0
        if litres > col[-1]:
            return float("inf")
        k = int(np.searchsorted(col, litres, side="left")) - 1
        k = min(max(k, 0), self.n_hours - 1)
        rate = self.hourly[k, b]
        return float(k + (litres - col[k]) / rate) if rate > 0 else float(k + 1)


def draw_deposits(
    capacity_l: npt.ArrayLike,
    activity: npt.ArrayLike,
    clock: Clock,
    calibration: FillRateCalibration,
    seed: int,
) -> Deposits:
    """The seed's deposits for bins of ``capacity_l`` litres over the clock's hours."""
    cap = np.asarray(capacity_l, dtype=np.float64)
    n = cap.size
    rng = np.random.default_rng([seed, STREAM_DEPOSITS])
    rates = bin_daily_rates(n, calibration, rng, np.asarray(activity, dtype=np.float64))
    hours, weekdays = clock.hour_grid()
    factor = calibration.time_factor(hours, weekdays)
    hourly = np.empty((hours.size, n))
    for k in range(hours.size):
        hourly[k] = increments(rates, float(factor[k]), 3600.0, rng) * cap
    start = initial_levels(n, seed) * cap
    return Deposits(hourly=hourly, initial=start, daily_rate_l=rates * cap)
