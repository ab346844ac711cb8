"""Fill forecasting: per-bin fill rate, weekly profile and time-to-threshold with a band.

Pure and vectorised over the whole fleet. The model, per bin:

* readings are sorted; isolated spikes (a reading that jumps away from both neighbours, which
  agree with each other, within ``spike_max_gap_h``) are dropped;
* the series is cut into *rising segments* at emptying events (a drop of more than
  ``drop_tol``) and, optionally, at long gaps; only segments are used for rates;
* time runs on an *effective clock* ``H(t)``: wall-clock hours weighted by a multiplicative
  hour-of-week profile (mean 1 over the week), so ``level(t) = level_now + rate * (H(t) - H(now))``;
* each segment's rate is a least-squares slope on the effective clock, refitted once without
  residual outliers; the bin's rate is a span-weighted mean of its segment rates winsorised around
  their weighted median, shrunk toward the fleet rate with ``prior_hours`` pseudo-hours of evidence;
* the band comes from the spread of segment rates around the bin rate (weighted quantiles of
  their ratio, shrunk toward the fleet's), so ``full_at_early`` uses the high rate;
* the fleet profile is fitted by EM on every reading interval (Poisson-style multiplicative
  updates, exact hour-of-week overlaps); each bin's profile is one EM step from the fleet profile
  with ``profile_strength`` pseudo-fill per hour slot, i.e. shrunk toward the fleet when sparse
  (and the fleet's toward flat, likewise).

Time is local wall-clock time in ``params.tz`` (a DST change shifts the profile by an hour on
one day; that is below the resolution of the model).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

import numpy as np

from core.domain import Bin
from core.records import FillReading
from forecasting import weekly_profile as wp
from forecasting.fit import _arrays, _fit, fit_fleet, fit_fleet_arrays
from forecasting.model import FillForecast, FleetModel, ForecastMethod, ForecastParams
from forecasting.weekly_profile import WeeklyProfile

__all__ = [
    "FillForecast",
    "FleetModel",
    "ForecastMethod",
    "ForecastParams",
    "WeeklyProfile",
    "fit_fleet",
    "fit_fleet_arrays",
    "forecast_arrays",
    "forecast_fleet",
]


def forecast_fleet(
    bins: Sequence[Bin],
    readings: Iterable[FillReading],
    params: ForecastParams,
    fleet: FleetModel | None = None,
) -> dict[str, FillForecast]:
    """A forecast per bin from the readings whose ``sensor_id`` is the bin id.

    Readings of unknown bins are ignored. Without ``fleet``, it is fitted on these readings.
    """
    ids, utc_s, level = _arrays(readings)
    return forecast_arrays(bins, ids, utc_s, level, params, fleet)


def forecast_arrays(
    bins: Sequence[Bin],
    sensor_ids: Sequence[str] | np.ndarray,
    utc_seconds: np.ndarray,
    levels: np.ndarray,
    params: ForecastParams,
    fleet: FleetModel | None = None,
) -> dict[str, FillForecast]:
    """As :func:`forecast_fleet`, from columns (UTC epoch seconds) instead of records."""
    p = params
    index = {b.bin_id: i for i, b in enumerate(bins)}
    group = np.array([index.get(s, -1) for s in sensor_ids], dtype=np.int64)
    known = group >= 0
    hours = wp.local_hours_array(np.asarray(utc_seconds, float)[known], p.tz)
    f = _fit(group[known], hours, np.asarray(levels, float)[known], len(bins), p, fleet)
    thr = np.array([b.threshold for b in bins])
    rows = np.arange(len(bins))
    e_now = wp.effective_clock(np.nan_to_num(f.last_hours), f.cum, rows)
    need = np.maximum(thr - np.nan_to_num(f.level_now), 0.0)
    crossings = []
    for r in (f.rate, f.rate_high, f.rate_low):
        with np.errstate(divide="ignore", invalid="ignore"):
            dh = np.where(need <= 0, 0.0, need / r)
        reach = np.isfinite(dh) & (dh <= p.horizon_h)
        h = wp.inverse_effective_clock(e_now + np.where(reach, dh, 0.0), f.cum, rows)
        crossings.append((h, reach & np.isfinite(f.level_now)))
    zone = ZoneInfo(p.tz)
    out: dict[str, FillForecast] = {}
    for i, b in enumerate(bins):
        has = bool(np.isfinite(f.level_now[i]))
        times = [wp.from_local_hours(float(h[i]), zone) if ok[i] else None for h, ok in crossings]
        method = (
            ForecastMethod.NO_DATA
            if not has
            else ForecastMethod.BIN_HISTORY
            if f.n_seg[i] > 0
            else ForecastMethod.FLEET_PRIOR
        )
        out[b.bin_id] = FillForecast(
            bin_id=b.bin_id,
            level_now=float(f.level_now[i]) if has else None,
            as_of=wp.from_local_hours(float(f.last_hours[i]), zone) if has else None,
            rate_per_h=float(f.rate[i]),
            rate_low_per_h=float(f.rate_low[i]),
            rate_high_per_h=float(f.rate_high[i]),
            threshold=b.threshold,
            full_at=times[0],
            full_at_early=times[1],
            full_at_late=times[2],
            n_obs=int(f.n_obs[i]),
            n_segments=int(f.n_seg[i]),
            method=method,
            profile=WeeklyProfile(tuple(np.diff(f.cum[i]).tolist())),
            tz=p.tz,
        )
    return out
