"""The bins' true fill levels carried from day to day of the main job (pure, seeded).

The first days come from :func:`simulations.bins_sim.simulate_history` (with its random municipal
rounds); from then on only the platform's trucks empty bins. Each later window of readings is
drawn in two steps, so the demand is fixed before anyone plans or drives (common random
numbers): :meth:`BinLevels.window` draws the litter every bin gets up to each reading time,
which gives the level a bin has if nobody empties it (what a truck finds,
:meth:`LevelWindow.level_at`); :meth:`LevelWindow.close` then applies the day's emptyings (a bin
keeps a 0-3 % residue and fills again from there), draws the sensors' noisy readings and returns
the state the next window starts from. Levels are fractions of the physical bin (0-1).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from simulations.bins_sim import FillHistory
from simulations.fill_model import (
    DEFAULT_CALIBRATION,
    FillRateCalibration,
    bin_daily_rates,
    empty_level,
    increments,
    sensor_readings,
)

FloatArray = npt.NDArray[np.float64]
STREAM_LITTER = 61
STREAM_SENSORS = 62
MEAN_TEMPERATURE_C = 12.0


@dataclass(frozen=True, eq=False)
class BinLevels:
    """Every bin's true level at ``at``; ``rates`` are the bins' mean daily fill rates."""

    sensor_ids: tuple[str, ...]
    level: FloatArray
    at: datetime
    rates: FloatArray
    tz: str
    seed: int
    calibration: FillRateCalibration = DEFAULT_CALIBRATION

    def __post_init__(self) -> None:
        n = len(self.sensor_ids)
        if self.level.shape != (n,) or self.rates.shape != (n,):
            raise ValueError("level and rates must give one value per bin.")
        if self.at.tzinfo is None:
            raise ValueError("at must be timezone-aware.")
        ZoneInfo(self.tz)

    @staticmethod
    def after(
        history: FillHistory,
        activity: Sequence[float] | None,
        seed: int,
        tz: str,
        calibration: FillRateCalibration = DEFAULT_CALIBRATION,
    ) -> BinLevels:
        """The state at the end of ``history`` (made by ``simulate_history`` with ``seed`` and
        ``activity``: the rates are its first draw, repeated here)."""
        if not history.times:
            raise ValueError("history has no time steps.")
        n = len(history.sensor_ids)
        rates = bin_daily_rates(n, calibration, np.random.default_rng([seed, 2]), activity)
        level = history.level[-1].copy()
        return BinLevels(history.sensor_ids, level, history.times[-1], rates, tz, seed, calibration)

    def index(self) -> dict[str, int]:
        return {s: k for k, s in enumerate(self.sensor_ids)}

    def window(self, until: datetime, interval: timedelta, day: int) -> LevelWindow:
        """Reading times every ``interval`` after ``at`` and before ``until``, and the litter
        each bin gets up to each of them (drawn from the seed and ``day`` alone)."""
        if interval <= timedelta(0):
            raise ValueError("interval must be positive.")
        times: list[datetime] = []
        t = self.at + interval
        while t < until:
            times.append(t.astimezone(UTC))
            t += interval
        n = len(self.sensor_ids)
        rng = np.random.default_rng([self.seed, STREAM_LITTER, day])
        zone = ZoneInfo(self.tz)
        inc = np.zeros((len(times), n))
        prev = self.at
        for k, when in enumerate(times):
            local = when.astimezone(zone)
            hour = local.hour + local.minute / 60 + local.second / 3600
            factor = float(self.calibration.time_factor(hour, local.weekday()))
            inc[k] = increments(self.rates, factor, (when - prev).total_seconds(), rng)
            prev = when
        return LevelWindow(self, tuple(times), np.cumsum(inc, axis=0), day)


@dataclass(frozen=True, eq=False)
class LevelWindow:
    """One window of reading times and the litter drawn for it, before any emptying."""

    start: BinLevels
    times: tuple[datetime, ...]
    added: FloatArray  # (T, n) litter added since ``start.at`` up to each time
    day: int

    def level_at(self, b: int, when: datetime) -> float:
        """Bin ``b``'s level at ``when`` (as of the last reading time not after it), if nobody
        empties it in this window."""
        k = bisect_right(self.times, when)
        added = float(self.added[k - 1, b]) if k else 0.0
        return min(float(self.start.level[b]) + added, 1.0)

    def close(self, emptied: Mapping[int, datetime]) -> tuple[FillHistory, BinLevels]:
        """The window's readings with the bins in ``emptied`` (index → when) emptied, and the
        state at its last reading time (a bin emptied after it holds its residue)."""
        s = self.start
        n, steps = len(s.sensor_ids), len(self.times)
        rng = np.random.default_rng([s.seed, STREAM_SENSORS, self.day])
        residue = empty_level(n, rng)
        level = np.minimum(s.level[None, :] + self.added, 1.0)
        flags = np.zeros((steps, n), dtype=bool)
        end_level = level[-1].copy() if steps else s.level.copy()
        for b, when in sorted(emptied.items()):
            k = bisect_right(self.times, when)  # first reading after the emptying
            if k >= steps:
                end_level[b] = residue[b]
                continue
            before = self.added[k - 1, b] if k else 0.0
            level[k:, b] = np.minimum(residue[b] + self.added[k:, b] - before, 1.0)
            flags[k, b] = True
            end_level[b] = level[-1, b]
        reading = sensor_readings(level, s.calibration, rng)
        local = [t.astimezone(ZoneInfo(s.tz)) for t in self.times]
        hours = np.array([t.hour + t.minute / 60 for t in local])
        diurnal = 3.0 * np.sin((hours - 9.0) / 24.0 * 2 * np.pi)
        temperature = MEAN_TEMPERATURE_C + diurnal[:, None] + rng.normal(0, 0.5, (steps, n))
        history = FillHistory(s.sensor_ids, self.times, level, reading, temperature, flags)
        at = self.times[-1] if steps else s.at
        nxt = BinLevels(s.sensor_ids, end_level, at, s.rates, s.tz, s.seed, s.calibration)
        return history, nxt
