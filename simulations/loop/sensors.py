"""Fill sensors: what the platform receives about the true levels, and when.

Every ``interval_h`` each sensor measures its bin's true fillingLevel with the ultrasonic noise
and spurious values of :func:`simulations.fill_model.sensor_readings`. A reading may be lost
(dropout) or arrive late (exponential delay); a stuck sensor repeats the value it measured last
before getting stuck until the episode ends. Which bins have a sensor (``coverage``), the stuck
episodes and every reading's noise, loss and delay are drawn from the seed (and the reading's
slot) alone, so they are the same under every policy; only the true level differs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from simulations.fill_model import FillRateCalibration, sensor_readings
from simulations.loop.config import SensorConfig

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
STREAM_COVERAGE = 31
STREAM_STUCK = 32
STREAM_READINGS = 33


@dataclass(frozen=True, eq=False)
class Batch:
    """Readings measured at one sweep: bin index, measurement and arrival time, fillingLevel."""

    bins: IntArray
    observed_h: FloatArray
    arrival_h: FloatArray
    level: FloatArray


def sensor_mask(n_bins: int, coverage: float, seed: int) -> npt.NDArray[np.bool_]:
    """Which bins carry a sensor: ``round(coverage * n)`` of them, chosen by the seed."""
    k = int(round(coverage * n_bins))
    order = np.random.default_rng([seed, STREAM_COVERAGE]).permutation(n_bins)
    mask = np.zeros(n_bins, dtype=bool)
    mask[order[:k]] = True
    return mask


def stuck_episodes(
    n_bins: int, days: int, cfg: SensorConfig, seed: int
) -> tuple[IntArray, FloatArray, FloatArray]:
    """Stuck episodes as (bin, start hour, end hour): per sensor-day a chance to start one."""
    rng = np.random.default_rng([seed, STREAM_STUCK])
    starts = rng.random((days, n_bins)) < cfg.stuck_per_day
    when = rng.random((days, n_bins))
    length_h = rng.exponential(cfg.stuck_mean_days * 24.0, size=(days, n_bins))
    day, b = np.nonzero(starts)
    start = (day + when[day, b]) * 24.0
    return b.astype(np.int64), start, start + length_h[day, b]


class SensorNetwork:
    """The sensors of a run; :meth:`sweep` turns true levels into the readings sent."""

    def __init__(self, n_bins: int, days: int, cfg: SensorConfig, seed: int) -> None:
        self.cfg = cfg
        self.seed = seed
        self.n_bins = n_bins
        self.has_sensor = sensor_mask(n_bins, cfg.coverage, seed)
        self.stuck_bin, self.stuck_start, self.stuck_end = stuck_episodes(n_bins, days, cfg, seed)
        self._noise = replace(
            FillRateCalibration(), noise_sd=cfg.noise_sd, spurious_prob=cfg.spurious_prob
        )
        self._last = np.full(n_bins, np.nan)  # what each sensor measured last

    def stuck(self, t_h: float) -> npt.NDArray[np.bool_]:
        """Sensors stuck at ``t_h``."""
        on = (self.stuck_start <= t_h) & (t_h < self.stuck_end)
        mask = np.zeros(self.n_bins, dtype=bool)
        mask[self.stuck_bin[on]] = True
        return mask

    def sweep(self, slot: int, t_h: float, true_level: FloatArray) -> Batch:
        """The readings of sweep ``slot`` at ``t_h`` of bins whose true levels are given."""
        rng = np.random.default_rng([self.seed, STREAM_READINGS, slot])
        n = self.n_bins
        measured = sensor_readings(np.clip(true_level, 0.0, 1.0), self._noise, rng)
        lost = rng.random(n) < self.cfg.dropout_prob
        late = rng.random(n) < self.cfg.late_prob
        delay = np.where(late, rng.exponential(self.cfg.late_mean_h, size=n), 0.0)
        stuck = self.stuck(t_h) & np.isfinite(self._last)
        value = np.where(stuck, self._last, measured)
        self._last = value
        send = np.flatnonzero(self.has_sensor & ~lost)
        return Batch(
            bins=send.astype(np.int64),
            observed_h=np.full(send.size, float(t_h)),
            arrival_h=t_h + delay[send],
            level=value[send],
        )
