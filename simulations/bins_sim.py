"""Fill-level readings for the city's bins over time (pure, seeded, vectorised over bins).

Each step adds litter by the fill model, bins at or above ``collect_from`` level are emptied with
a per-hour hazard during collection hours (municipal rounds, local time in ``tz``, the city
profile's time zone), and each bin's sensor reports a noisy reading. Levels are fractions of the
physical bin (``fillingLevel``, 0-1).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from core.domain import Bin
from core.records import FillReading
from simulations.fill_model import (
    DEFAULT_CALIBRATION,
    FillRateCalibration,
    bin_daily_rates,
    empty_level,
    increments,
    sensor_readings,
)

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class BinSimConfig:
    """Emptying behaviour and sensor temperature; validated at construction."""

    collect_from: float = 0.6  # bins at least this full may be emptied by a round
    collect_hazard_per_h: float = 0.35  # chance per hour such a bin is emptied, in rounds hours
    rounds_start_h: float = 6.0  # local time
    rounds_end_h: float = 14.0
    mean_temperature_c: float = 12.0

    def __post_init__(self) -> None:
        if not 0 < self.collect_from <= 1:
            raise ValueError("collect_from must be in (0, 1].")
        if self.collect_hazard_per_h < 0:
            raise ValueError("collect_hazard_per_h must be non-negative.")
        if not 0 <= self.rounds_start_h < self.rounds_end_h <= 24:
            raise ValueError("rounds hours must satisfy 0 <= start < end <= 24.")


@dataclass(frozen=True)
class FillHistory:
    """Simulated history: times (T), true levels and readings (T, n), emptying events (T, n)."""

    sensor_ids: tuple[str, ...]
    times: tuple[datetime, ...]
    level: FloatArray
    reading: FloatArray
    temperature: FloatArray
    emptied: npt.NDArray[np.bool_]

    def readings(self) -> Iterator[FillReading]:
        """The readings as wire records, in time order (bins in inventory order within a step)."""
        for t, time in enumerate(self.times):
            lv, tc = self.reading[t].tolist(), self.temperature[t].tolist()
            for k, sid in enumerate(self.sensor_ids):
                yield FillReading(sid, time, lv[k], tc[k])


def initial_levels(n: int, seed: int) -> FloatArray:
    """Starting levels: a skewed spread (most bins part-full, a few nearly full)."""
    return np.clip(np.random.default_rng([seed, 1]).beta(1.6, 2.4, size=n), 0.0, 1.0)


def simulate_history(
    bins: Sequence[Bin],
    start: datetime,
    duration: timedelta,
    interval: timedelta,
    seed: int,
    calibration: FillRateCalibration = DEFAULT_CALIBRATION,
    activity: Sequence[float] | None = None,
    config: BinSimConfig | None = None,
    *,
    tz: str,
) -> FillHistory:
    """Readings every ``interval`` from ``start`` (tz-aware) for ``duration``, all bins at once;
    deposit rhythm and collection rounds follow local time in ``tz``."""
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware.")
    if interval <= timedelta(0) or duration < timedelta(0):
        raise ValueError("interval must be positive and duration non-negative.")
    cfg = config or BinSimConfig()
    n = len(bins)
    steps = int(duration / interval) + 1
    dt_s = interval.total_seconds()
    rng = np.random.default_rng([seed, 2])
    rates = bin_daily_rates(n, calibration, rng, activity)
    level = initial_levels(n, seed)
    times = tuple(start.astimezone(UTC) + k * interval for k in range(steps))
    zone = ZoneInfo(tz)
    local = [t.astimezone(zone) for t in times]
    hours = np.array([t.hour + t.minute / 60 + t.second / 3600 for t in local])
    factor = calibration.time_factor(hours, [t.weekday() for t in local])
    p_collect = 1.0 - np.exp(-cfg.collect_hazard_per_h * dt_s / 3600.0)
    in_rounds = (hours >= cfg.rounds_start_h) & (hours < cfg.rounds_end_h)
    levels = np.empty((steps, n))
    emptied = np.zeros((steps, n), dtype=bool)
    for t in range(steps):
        if t > 0:
            level = np.minimum(level + increments(rates, factor[t], dt_s, rng), 1.0)
            if in_rounds[t]:
                hit = (level >= cfg.collect_from) & (rng.random(n) < p_collect)
                level = np.where(hit, empty_level(n, rng), level)
                emptied[t] = hit
        levels[t] = level
    reading = sensor_readings(levels, calibration, rng)
    diurnal = 3.0 * np.sin((hours - 9.0) / 24.0 * 2 * np.pi)
    temperature = cfg.mean_temperature_c + diurnal[:, None] + rng.normal(0, 0.5, size=(steps, n))
    return FillHistory(tuple(b.bin_id for b in bins), times, levels, reading, temperature, emptied)


def fill_readings(
    bins: Sequence[Bin],
    start: datetime,
    duration: timedelta,
    interval: timedelta,
    seed: int,
    calibration: FillRateCalibration = DEFAULT_CALIBRATION,
    activity: Sequence[float] | None = None,
    config: BinSimConfig | None = None,
    *,
    tz: str,
) -> Iterator[FillReading]:
    """:class:`FillReading` records in time order (see :func:`simulate_history`)."""
    history = simulate_history(
        bins, start, duration, interval, seed, calibration, activity, config, tz=tz
    )
    return history.readings()
