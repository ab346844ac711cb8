"""What the platform knows: the readings that have arrived, and the drivers' emptying reports.

Policies see the city only through :class:`Platform`. Bins with a sensor are forecast from their
readings (:func:`forecasting.forecast.forecast_arrays`, the production forecaster). Bins without
one are forecast from their emptying history: each driver report gives the fill the driver saw
(rounded to ``driver_step``) just before emptying and an empty bin just after, so the rising
segments run from one emptying to the next; the fleet's rate and profile come from the sensor
bins when there are any. Before its first report such a bin is assumed ``prior_level`` full at
the start (a commissioning survey).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from core.domain import Bin
from forecasting.forecast import FillForecast, ForecastParams, fit_fleet_arrays, forecast_arrays
from simulations.loop.clock import Clock
from simulations.loop.sensors import Batch

FloatArray = npt.NDArray[np.float64]
AFTER_EMPTYING_H = 1.0 / 60.0  # the driver's "empty" report follows a minute after the fill seen


class Platform:
    """The platform's view of the bins, fed by sensor batches and driver reports."""

    def __init__(
        self,
        bins: Sequence[Bin],
        has_sensor: npt.NDArray[np.bool_],
        clock: Clock,
        history_days: float,
        driver_step: float = 0.25,
        prior_level: float = 0.5,
    ) -> None:
        self.bins = tuple(bins)
        self.ids = np.array([b.bin_id for b in self.bins])
        self.has_sensor = np.asarray(has_sensor, dtype=bool)
        self.clock = clock
        self.history_h = history_days * 24.0
        self.driver_step = driver_step
        self.prior_level = prior_level
        self.sensor_params = ForecastParams(tz=clock.tz)
        self.report_params = ForecastParams(tz=clock.tz, spike_tol=None, max_gap_h=None)
        self._batches: list[Batch] = []
        self._reports: list[tuple[int, float, float]] = []  # bin, time, fill seen
        self._last_emptied_h = np.full(len(self.bins), np.nan)
        self._cache: tuple[float, dict[str, FillForecast]] | None = None

    def receive(self, batch: Batch) -> None:
        """Sensor readings sent at one sweep (they become visible at their arrival times)."""
        if batch.bins.size:
            self._batches.append(batch)
            self._cache = None

    def report_emptied(self, b: int, t_h: float, level_seen: float) -> None:
        """A driver emptied bin ``b`` at ``t_h`` and saw it ``level_seen`` full."""
        step = self.driver_step
        seen = min(1.0, max(0.0, round(level_seen / step) * step))
        self._reports.append((b, float(t_h), seen))
        self._last_emptied_h[b] = t_h
        self._cache = None

    @property
    def last_emptied_h(self) -> FloatArray:
        """Sim hour of each bin's last reported emptying (NaN: none yet)."""
        return self._last_emptied_h.copy()

    def _sensor_columns(self, now_h: float) -> tuple[np.ndarray, FloatArray, FloatArray]:
        oldest = now_h - self.history_h  # planning only moves forward: older sweeps are done
        self._batches = [
            x for x in self._batches if x.observed_h.size and x.observed_h[0] >= oldest
        ]
        if not self._batches:
            return np.array([], dtype=str), np.array([]), np.array([])
        b = np.concatenate([x.bins for x in self._batches])
        obs = np.concatenate([x.observed_h for x in self._batches])
        arr = np.concatenate([x.arrival_h for x in self._batches])
        lv = np.concatenate([x.level for x in self._batches])
        keep = (arr <= now_h) & (obs >= now_h - self.history_h)
        order = np.argsort(obs[keep], kind="stable")
        return self.ids[b[keep][order]], obs[keep][order], lv[keep][order]

    def _report_columns(self, now_h: float) -> tuple[np.ndarray, FloatArray, FloatArray]:
        rows: list[tuple[int, float, float]] = []
        reported: set[int] = set()
        for b, t, seen in self._reports:
            if t > now_h or self.has_sensor[b]:
                continue
            reported.add(b)
            rows += [(b, t, seen), (b, t + AFTER_EMPTYING_H, 0.0)]
        for blind in np.flatnonzero(~self.has_sensor).tolist():
            if blind not in reported:
                rows.append((blind, 0.0, self.prior_level))
        rows.sort(key=lambda r: (r[1], r[0]))
        if not rows:
            return np.array([], dtype=str), np.array([]), np.array([])
        arr = np.array(rows, dtype=np.float64)
        return self.ids[arr[:, 0].astype(np.int64)], arr[:, 1], arr[:, 2]

    def forecasts(self, now_h: float) -> Mapping[str, FillForecast]:
        """A forecast for every bin from what has arrived by ``now_h``."""
        if self._cache is not None and self._cache[0] == now_h:
            return self._cache[1]
        out: dict[str, FillForecast] = {}
        ids, obs, lv = self._sensor_columns(now_h)
        sensed = [b for b, s in zip(self.bins, self.has_sensor, strict=True) if s]
        fleet = None
        if sensed:
            utc = self.clock.utc_s(obs)
            if ids.size:
                fleet = fit_fleet_arrays(ids, utc, lv, self.sensor_params)
            out.update(forecast_arrays(sensed, ids, utc, lv, self.sensor_params, fleet))
        blind = [b for b, s in zip(self.bins, self.has_sensor, strict=True) if not s]
        if blind:
            r_ids, r_t, r_lv = self._report_columns(now_h)
            utc = self.clock.utc_s(r_t)
            out.update(forecast_arrays(blind, r_ids, utc, r_lv, self.report_params, fleet))
        self._cache = (now_h, out)
        return out
