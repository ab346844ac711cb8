"""Fill at a future time from a bin's emptying log (level before and after each emptying). Pure.

For bins known only from their emptyings (a collection log, drivers' reports), the quantity to
forecast is the level a bin will have reached at a given time since it was last emptied. The rise
since the last emptying is not linear in time: on the Edinburgh log it is about 65 % of the full
mark after 6-12 h but only 83 % after four days, so a rate extrapolated from the last interval
overshoots short horizons and a fleet-mean rate misses busy bins. The model, vectorised over bins:

* a fleet *growth curve*: the rise as a quadratic in log hours since the last emptying, plus the
  local weekday and quarter of the day at the forecast time (ridge least squares);
* per-bin evidence from strictly earlier intervals only: the bin's mean residual against the curve
  and its mean rate, each shrunk toward the fleet (curve, median rate) with ``shrink_intervals``
  pseudo-intervals; the last interval's residual (recency) and its rate extrapolated (last-rate);
* a median (least absolute deviations, IRLS) regression of the rise on these five predictions,
  which weighs curve, bin prior and recent rate against each other;
* ``p_full``: a logistic regression of "at or above ``full_level``" on the same features, passed
  through a :class:`~forecasting.calibration.Calibrator` fitted on an earlier slice.

Optionally (``trigger_feature``), the log length of the previous interval is one more feature:
the hypothesis that an emptying soon after the one before was triggered by fast filling.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from forecasting import weekly_profile as wp
from forecasting.calibration import Calibrator

FloatArray = npt.NDArray[np.float64]
_MIN_H = 0.25  # hours: log floor of the time since the last emptying
_CENTRE_LOG_H = 3.5  # log hours, about 33 h: centres the curve's quadratic


@dataclass(frozen=True, slots=True)
class IntervalParams:
    """Tuning of the emptying-interval model; levels are fillingLevel fractions, times hours."""

    tz: str
    shrink_intervals: float = 1.0  # pseudo-intervals of fleet evidence in each bin's estimates
    full_level: float = 1.0  # a reading at or above this counts as full (p_full's event)
    max_level: float = 1.0
    ridge: float = 1e-3
    irls_iterations: int = 30
    trigger_feature: bool = False  # add log(previous interval) as a feature

    def __post_init__(self) -> None:
        if self.shrink_intervals < 0 or self.ridge < 0:
            raise ValueError("shrink_intervals and ridge must be non-negative.")
        if not 0 < self.full_level <= self.max_level:
            raise ValueError("full_level must be in (0, max_level].")
        if self.irls_iterations < 1:
            raise ValueError("irls_iterations must be at least 1.")
        ZoneInfo(self.tz)  # raises on an unknown zone


@dataclass(frozen=True, slots=True)
class IntervalModel:
    """Fitted fleet coefficients of the emptying-interval model."""

    params: IntervalParams
    curve: tuple[float, ...]
    blend: tuple[float, ...]
    logit: tuple[float, ...]
    fleet_rate_per_h: float
    n_intervals: int
    calibrator: Calibrator = field(default_factory=Calibrator)

    def with_calibrator(self, calibrator: Calibrator) -> IntervalModel:
        return replace(self, calibrator=calibrator)


@dataclass(frozen=True, slots=True)
class IntervalForecast:
    """Per query: median level, calibrated and raw P(level >= full_level); nan when unknown."""

    level: FloatArray
    p_full: FloatArray
    p_full_raw: FloatArray
    hours_since_emptying: FloatArray


@dataclass(frozen=True, slots=True)
class _Rows:
    """Emptyings (and queries) sorted by (site, time), with features from earlier rows only."""

    real: npt.NDArray[np.bool_]
    valid: npt.NDArray[np.bool_]  # has an earlier emptying of its site
    rise: FloatArray  # level before - level after the previous emptying (real rows)
    start: FloatArray
    h: FloatArray
    z: FloatArray  # (n, k) features: 1, curve, bin residual, last residual, last-rate, bin rate
    order: npt.NDArray[np.int64]  # position in the input of each sorted row


def _curve_design(h: FloatArray, local_h: FloatArray) -> FloatArray:
    lh = np.log(np.maximum(h, _MIN_H)) - _CENTRE_LOG_H
    day = np.floor(local_h / 24.0).astype(np.int64) % 7  # 0 = Monday (weekly_profile epoch)
    quarter = np.floor((local_h % 24.0) / 6.0).astype(np.int64)
    cols = [np.ones(len(h)), lh, lh * lh]
    cols += [(day == d).astype(float) for d in range(1, 7)]
    cols += [(quarter == q).astype(float) for q in range(1, 4)]
    return np.column_stack(cols)


def _exclusive_cumsum(code: npt.NDArray[np.int64], v: FloatArray) -> FloatArray:
    """Per row, the sum of ``v`` over earlier rows of the same code (rows sorted by code)."""
    cs = np.cumsum(v) - v
    first = np.ones(len(code), bool)
    first[1:] = code[1:] != code[:-1]
    base = np.maximum.accumulate(np.where(first, np.arange(len(code)), 0))
    return cs - cs[base]


def _rows(
    sites: npt.NDArray[np.int64],
    local_h: FloatArray,
    before: FloatArray,
    after: FloatArray,
    real: npt.NDArray[np.bool_],
    model: IntervalModel | None,
    curve: FloatArray | None,
    fleet_rate: float,
    p: IntervalParams,
) -> _Rows:
    order = np.lexsort((real, local_h, sites))  # a query sorts before an emptying at its time
    code, t, b, a, rl = sites[order], local_h[order], before[order], after[order], real[order]
    n = len(code)
    idx = np.arange(n)
    last_real = np.maximum.accumulate(np.where(rl, idx, -1)) if n else idx
    prev = np.full(n, -1, np.int64)
    prev[1:] = last_real[:-1]
    prev = np.where((prev >= 0) & (code[np.maximum(prev, 0)] == code), prev, -1)
    valid = prev >= 0
    pv = np.maximum(prev, 0)
    start = np.where(valid, a[pv], np.nan)
    h = np.where(valid, t - t[pv], np.nan)
    rise = np.where(valid & rl, b - start, np.nan)
    x = _curve_design(np.nan_to_num(h, nan=1.0), t)
    coef = curve if curve is not None else np.asarray(model.curve if model else ())
    f = x @ coef if len(coef) else np.zeros(n)
    room = p.max_level - np.nan_to_num(start)
    counted = valid & rl
    e = np.where(counted, np.nan_to_num(rise) - f, 0.0)
    rate = np.where(counted, np.nan_to_num(rise) / np.maximum(np.nan_to_num(h, nan=1.0), _MIN_H), 0)
    k = p.shrink_intervals
    n_prev = _exclusive_cumsum(code, counted.astype(float))
    bin_resid = _exclusive_cumsum(code, e) / (n_prev + k + 1e-12)
    prev_counted = valid & counted[pv]
    last_resid = np.where(prev_counted, e[pv] - bin_resid, 0.0)
    last_rate = np.where(prev_counted, np.clip(rate[pv] * np.nan_to_num(h), 0.0, room), f)
    mean_rate = (_exclusive_cumsum(code, rate) + k * fleet_rate) / (n_prev + k + 1e-12)
    bin_rate = np.clip(mean_rate * np.nan_to_num(h), 0.0, room)
    cols = [np.ones(n), f, bin_resid, last_resid, last_rate, bin_rate]
    if p.trigger_feature:
        pp = np.maximum(prev[pv], 0)
        has_pp = valid & (prev[pv] >= 0)
        prev_h = np.where(has_pp, t[pv] - t[pp], np.exp(_CENTRE_LOG_H))
        cols.append(np.log(np.maximum(prev_h, _MIN_H)) - _CENTRE_LOG_H)
    return _Rows(rl, valid, rise, start, h, np.column_stack(cols), order.astype(np.int64))


def _codes(sites: Sequence[str] | npt.NDArray[np.str_]) -> npt.NDArray[np.int64]:
    return np.unique(np.asarray(sites, dtype=str), return_inverse=True)[1].astype(np.int64)


def _median_regression(z: FloatArray, y: FloatArray, iterations: int, ridge: float) -> FloatArray:
    """Least absolute deviations by iteratively reweighted least squares."""
    w = np.ones(len(y))
    eye = ridge * np.eye(z.shape[1])
    beta: FloatArray = np.zeros(z.shape[1])
    for _ in range(iterations):
        zw = z * w[:, None]
        beta = np.asarray(np.linalg.solve(zw.T @ z + eye, zw.T @ y), dtype=np.float64)
        w = 1.0 / np.maximum(np.abs(y - z @ beta), 0.01)
    return beta


def _logistic(z: FloatArray, y: FloatArray, ridge: float, iterations: int = 25) -> FloatArray:
    """Logistic regression by Newton's method with a small ridge."""
    beta = np.zeros(z.shape[1])
    eye = max(ridge, 1e-6) * np.eye(z.shape[1])
    for _ in range(iterations):
        mu = 1.0 / (1.0 + np.exp(-np.clip(z @ beta, -30, 30)))
        hess = (z * (mu * (1 - mu))[:, None]).T @ z + eye
        step = np.linalg.solve(hess, z.T @ (y - mu) - eye @ beta)
        beta += step
        if np.max(np.abs(step)) < 1e-8:
            break
    return beta


def fit_interval_model(
    sites: Sequence[str] | npt.NDArray[np.str_],
    utc_seconds: npt.ArrayLike,
    level_before: npt.ArrayLike,
    level_after: npt.ArrayLike,
    params: IntervalParams,
) -> IntervalModel:
    """Fit the fleet coefficients on every interval between consecutive emptyings of a bin."""
    p = params
    code = _codes(sites)
    local_h = wp.local_hours_array(np.asarray(utc_seconds, float), p.tz)
    before = np.clip(np.asarray(level_before, float), 0.0, p.max_level)
    after = np.clip(np.asarray(level_after, float), 0.0, p.max_level)
    real = np.ones(len(code), bool)
    r0 = _rows(code, local_h, before, after, real, None, np.zeros(0), 0.0, p)
    use = r0.valid & (np.nan_to_num(r0.h) > 0)
    if use.sum() < 20:
        raise ValueError(f"too few intervals to fit ({int(use.sum())}, need 20).")
    x = _curve_design(r0.h[use], local_h[r0.order][use])
    y = r0.rise[use]
    curve = np.asarray(
        np.linalg.solve(x.T @ x + p.ridge * np.eye(x.shape[1]), x.T @ y), dtype=np.float64
    )
    fleet_rate = float(np.median(np.maximum(y, 0.0) / np.maximum(r0.h[use], _MIN_H)))
    r = _rows(code, local_h, before, after, real, None, curve, fleet_rate, p)
    z, y = r.z[use], r.rise[use]
    blend = _median_regression(z, y, p.irls_iterations, p.ridge)
    full = (before[r.order][use] >= p.full_level - 1e-9).astype(float)
    logit = _logistic(np.column_stack([z, r.start[use]]), full, p.ridge)
    return IntervalModel(
        p,
        tuple(curve.tolist()),
        tuple(blend.tolist()),
        tuple(logit.tolist()),
        fleet_rate,
        int(use.sum()),
    )


def predict_interval(
    model: IntervalModel,
    sites: Sequence[str] | npt.NDArray[np.str_],
    utc_seconds: npt.ArrayLike,
    level_before: npt.ArrayLike,
    level_after: npt.ArrayLike,
    query_sites: Sequence[str] | npt.NDArray[np.str_],
    query_utc_seconds: npt.ArrayLike,
) -> IntervalForecast:
    """Level and P(full) at each query from the emptyings of its site strictly before it.

    A query of a site with no earlier emptying gets nan.
    """
    p = model.params
    n_hist, n_q = len(sites), len(query_sites)
    all_sites = np.concatenate([np.asarray(sites, dtype=str), np.asarray(query_sites, dtype=str)])
    code = _codes(all_sites) if len(all_sites) else np.zeros(0, np.int64)
    utc = np.concatenate([np.asarray(utc_seconds, float), np.asarray(query_utc_seconds, float)])
    local_h = wp.local_hours_array(utc, p.tz) if len(utc) else np.zeros(0)
    hist_b = np.clip(np.asarray(level_before, float), 0.0, p.max_level)
    hist_a = np.clip(np.asarray(level_after, float), 0.0, p.max_level)
    before = np.concatenate([hist_b, np.zeros(n_q)])
    after = np.concatenate([hist_a, np.zeros(n_q)])
    real = np.concatenate([np.ones(n_hist, bool), np.zeros(n_q, bool)])
    r = _rows(code, local_h, before, after, real, model, None, model.fleet_rate_per_h, p)
    rise = r.z @ np.asarray(model.blend)
    level = np.clip(r.start + rise, np.nan_to_num(r.start), p.max_level)
    eta = np.column_stack([r.z, r.start]) @ np.asarray(model.logit)
    raw = 1.0 / (1.0 + np.exp(-np.clip(np.nan_to_num(eta), -30, 30)))
    raw = np.where(r.valid, raw, np.nan)
    level = np.where(r.valid, level, np.nan)
    out_level, out_raw, out_h = (np.full(n_hist + n_q, np.nan) for _ in range(3))
    out_level[r.order], out_raw[r.order], out_h[r.order] = level, raw, r.h
    q = slice(n_hist, n_hist + n_q)
    cal = np.where(
        np.isfinite(out_raw[q]), model.calibrator.apply(np.nan_to_num(out_raw[q])), np.nan
    )
    return IntervalForecast(out_level[q], cal, out_raw[q], out_h[q])
