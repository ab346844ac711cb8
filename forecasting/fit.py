"""The fill-rate estimator: rising segments, robust rates, weekly profiles by EM. Pure.

See :mod:`forecasting.forecast` for the model; this module holds the fitting behind it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from core.records import FillReading
from forecasting import weekly_profile as wp
from forecasting.model import FleetModel, ForecastParams
from forecasting.weekly_profile import WEEK_H, WeeklyProfile

# --- robust group statistics ------------------------------------------------------------------


def _group_quantile(g: np.ndarray, x: np.ndarray, w: np.ndarray, q: float, n: int) -> np.ndarray:
    """Weighted quantile of ``x`` within each group (nan where a group is empty)."""
    out = np.full(n, np.nan)
    if len(x) == 0:
        return out
    order = np.lexsort((x, g))
    g, x, w = g[order], x[order], w[order]
    total = np.bincount(g, w, n)
    cw = np.cumsum(w)
    start = np.concatenate([[0.0], np.cumsum(total)])[g]
    hit = np.flatnonzero(cw - start >= q * total[g] - 1e-12)
    first_g, first_i = np.unique(g[hit], return_index=True)
    out[first_g] = x[hit[first_i]]
    return out


# --- the estimator ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Series:
    """All readings of all bins as flat arrays sorted by (bin, time)."""

    group: np.ndarray  # bin index
    hours: np.ndarray  # local wall-clock hours since _EPOCH
    level: np.ndarray


def _prepare(
    group: np.ndarray, hours: np.ndarray, level: np.ndarray, p: ForecastParams
) -> tuple[_Series, np.ndarray]:
    ok = np.isfinite(level) & np.isfinite(hours)
    group, hours, level = group[ok], hours[ok], np.clip(level[ok], 0.0, p.max_level)
    order = np.lexsort((hours, group))
    group, hours, level = group[order], hours[order], level[order]
    n = len(level)
    spike = np.zeros(n, bool)
    if n >= 3 and p.spike_tol is not None:
        same = (group[1:-1] == group[:-2]) & (group[1:-1] == group[2:])
        d1, d2 = level[1:-1] - level[:-2], level[1:-1] - level[2:]
        spike[1:-1] = (
            same
            & (np.sign(d1) == np.sign(d2))
            & (np.minimum(np.abs(d1), np.abs(d2)) > p.spike_tol)
            & (np.abs(level[2:] - level[:-2]) < p.spike_tol)
            & (hours[2:] - hours[:-2] <= p.spike_max_gap_h)
        )
    keep = ~spike
    s = _Series(group[keep], hours[keep], level[keep])
    new = np.ones(len(s.level), bool)
    if len(s.level) > 1:
        cut = (s.group[1:] != s.group[:-1]) | (s.level[1:] < s.level[:-1] - p.drop_tol)
        if p.max_gap_h is not None:
            cut |= s.hours[1:] - s.hours[:-1] > p.max_gap_h
        new[1:] = cut
    return s, np.cumsum(new) - 1


def _segment_fit(
    seg: np.ndarray, x: np.ndarray, y: np.ndarray, mask: np.ndarray, n_seg: int
) -> tuple[np.ndarray, ...]:
    """Per-segment least-squares (slope, intercept at segment start, n, x0) on masked points."""
    x0 = np.full(n_seg, np.inf)
    np.minimum.at(x0, seg, x)
    xc = x - x0[seg]
    m = mask.astype(float)
    n = np.bincount(seg, m, n_seg)
    sx, sy = np.bincount(seg, m * xc, n_seg), np.bincount(seg, m * y, n_seg)
    sxx, sxy = np.bincount(seg, m * xc * xc, n_seg), np.bincount(seg, m * xc * y, n_seg)
    den = n * sxx - sx * sx
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.where(den > 1e-12, (n * sxy - sx * sy) / den, np.nan)
        icpt = np.where(n > 0, (sy - slope * sx) / n, np.nan)
    return slope, icpt, n, x0


def _bin_rates(
    seg_bin: np.ndarray,
    rate: np.ndarray,
    span: np.ndarray,
    age: np.ndarray,
    usable: np.ndarray,
    n_bins: int,
    p: ForecastParams,
) -> tuple[np.ndarray, np.ndarray]:
    """Robust per-bin rate (nan without segments) and its evidence (decayed span, hours).

    Segments weigh ``span ** span_power`` halved every ``half_life_h`` of age.
    """
    g, r, s = seg_bin[usable], rate[usable], span[usable]
    decay = 0.5 ** (age[usable] / p.half_life_h) if p.half_life_h else np.ones(len(s))
    w = np.maximum(s, 1e-9) ** p.span_power * decay
    med = _group_quantile(g, r, w, 0.5, n_bins)
    mad = _group_quantile(g, np.abs(r - med[g]), w, 0.5, n_bins)
    half = p.winsor_mads * 1.4826 * mad[g] + 1e-9
    rw = np.clip(r, med[g] - half, med[g] + half)
    tot = np.bincount(g, w, n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(g, w * rw, n_bins) / tot
    return mean, np.bincount(g, s * decay, n_bins)


def _fit_profiles(
    seg: np.ndarray,
    s: _Series,
    usable_pt: np.ndarray,
    bin_rate: np.ndarray,
    n_bins: int,
    fleet: WeeklyProfile | None,
    p: ForecastParams,
) -> tuple[WeeklyProfile, np.ndarray]:
    """Fleet profile (EM, unless given) and per-bin shrunk profile weights (n_bins x 168)."""
    pair = usable_pt[1:] & usable_pt[:-1] & (seg[1:] == seg[:-1])
    t0, t1 = s.hours[:-1][pair], s.hours[1:][pair]
    dy = np.maximum(s.level[1:][pair] - s.level[:-1][pair], 0.0)
    g = s.group[1:][pair]
    r = np.nan_to_num(bin_rate[g], nan=0.0)
    ok = r > 0
    t0, t1, dy, g, r = t0[ok], t1[ok], dy[ok], g[ok], r[ok]
    zeros = np.zeros(len(g), np.int64)
    if fleet is None:
        w = np.ones(WEEK_H)
        if len(g):
            exposure = wp.overlap_hours(t0, t1, r, zeros, 1)[0]
            for _ in range(p.profile_iterations):
                cum = np.concatenate([[0.0], np.cumsum(w)])[None, :]
                pred = (
                    r * (wp.effective_clock(t1, cum, zeros) - wp.effective_clock(t0, cum, zeros))
                    + 1e-12
                )
                num = wp.overlap_hours(t0, t1, r * dy / pred, zeros, 1)[0] * w
                w = (num + p.profile_strength) / (exposure + p.profile_strength)  # toward flat
                w = np.maximum(w * WEEK_H / w.sum(), wp.MIN_WEIGHT)
        fleet = WeeklyProfile.from_array(w)
    wf = np.asarray(fleet.weights)
    per_bin = np.tile(wf, (n_bins, 1))
    if len(g):
        cum = np.concatenate([[0.0], np.cumsum(wf)])[None, :]
        pred = r * (wp.effective_clock(t1, cum, zeros) - wp.effective_clock(t0, cum, zeros)) + 1e-12
        num = wp.overlap_hours(t0, t1, r * dy / pred, g, n_bins)
        den = wp.overlap_hours(t0, t1, r, g, n_bins)
        per_bin = wf * (num + p.profile_strength) / (den + p.profile_strength)
        per_bin = np.maximum(per_bin * WEEK_H / per_bin.sum(axis=1, keepdims=True), wp.MIN_WEIGHT)
        per_bin *= WEEK_H / per_bin.sum(axis=1, keepdims=True)
    return fleet, per_bin


@dataclass(frozen=True, slots=True)
class _Fit:
    fleet: FleetModel
    rate: np.ndarray
    rate_low: np.ndarray
    rate_high: np.ndarray
    n_seg: np.ndarray
    cum: np.ndarray  # n_bins x 169
    level_now: np.ndarray
    last_hours: np.ndarray
    n_obs: np.ndarray


def _fit(
    group: np.ndarray,
    hours: np.ndarray,
    level: np.ndarray,
    n_bins: int,
    p: ForecastParams,
    fleet: FleetModel | None,
) -> _Fit:
    s, seg = _prepare(group, hours, level, p)
    n_seg = int(seg[-1]) + 1 if len(seg) else 0
    seg_bin = np.zeros(n_seg, np.int64)
    seg_bin[seg] = s.group
    profile = fleet.profile if fleet is not None else WeeklyProfile.flat()
    per_bin = np.tile(np.asarray(profile.weights), (n_bins, 1))
    mask = np.ones(len(s.level), bool)
    for round_ in range(2):
        cum = np.concatenate([np.zeros((n_bins, 1)), np.cumsum(per_bin, axis=1)], axis=1)
        x = wp.effective_clock(s.hours, cum, s.group)
        slope, icpt, cnt, x0 = _segment_fit(seg, x, s.level, np.ones(len(x), bool), n_seg)
        resid = s.level - (icpt[seg] + slope[seg] * (x - x0[seg]))
        mask = ~(np.abs(resid) > p.outlier_tol) | (cnt[seg] <= 2)
        slope, icpt, cnt, x0 = _segment_fit(seg, x, s.level, mask, n_seg)
        x1 = np.full(n_seg, -np.inf)
        np.maximum.at(x1, seg, np.where(mask, x, -np.inf))
        span = x1 - x0
        usable = (cnt >= p.min_segment_points) & (span >= p.min_segment_span_h) & np.isfinite(slope)
        bin_end = np.full(n_bins, -np.inf)
        np.maximum.at(bin_end, seg_bin, x1)
        age = np.maximum(bin_end[seg_bin] - x1, 0.0)
        raw_rate, evidence = _bin_rates(seg_bin, slope, span, age, usable, n_bins, p)
        if fleet is None:
            has = np.isfinite(raw_rate)
            fleet_rate = float(np.median(np.maximum(raw_rate[has], 0))) if has.any() else 0.0
        else:
            fleet_rate = fleet.rate_per_h
        k = p.prior_hours
        rate = np.where(
            evidence > 0,
            (evidence * np.nan_to_num(raw_rate) + k * fleet_rate) / (evidence + k),
            fleet_rate,
        )
        rate = np.maximum(rate, 0.0)
        if round_ == 0:
            prof, per_bin = _fit_profiles(
                seg,
                s,
                mask,
                np.maximum(rate, 0),
                n_bins,
                None if fleet is None else fleet.profile,
                p,
            )
    g_u = seg_bin[usable]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(raw_rate[g_u] > 0, slope[usable] / raw_rate[g_u], np.nan)
    ok = np.isfinite(ratio)
    g_r, ratio, w_r = g_u[ok], ratio[ok], span[usable][ok]
    lo_b = _group_quantile(g_r, ratio, w_r, p.band[0], n_bins)
    hi_b = _group_quantile(g_r, ratio, w_r, p.band[1], n_bins)
    if fleet is None:
        z = np.zeros(len(ratio), np.int64)
        lo_f = float(_group_quantile(z, ratio, w_r, p.band[0], 1)[0]) if len(ratio) else 0.5
        hi_f = float(_group_quantile(z, ratio, w_r, p.band[1], 1)[0]) if len(ratio) else 1.6
        fleet = FleetModel(fleet_rate, prof, min(max(lo_f, 0.0), 1.0), max(hi_f, 1.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        lo = (evidence * np.nan_to_num(lo_b, nan=1.0) + k * fleet.ratio_low) / (evidence + k)
        hi = (evidence * np.nan_to_num(hi_b, nan=1.0) + k * fleet.ratio_high) / (evidence + k)
    lo = np.nan_to_num(lo, nan=fleet.ratio_low)
    hi = np.nan_to_num(hi, nan=fleet.ratio_high)
    n_used = np.bincount(seg_bin[usable], minlength=n_bins)
    lo, hi = np.clip(lo, 0.0, 1.0), np.maximum(hi, 1.0)
    # level now: the current segment's fitted line at its last point, or the last reading
    last = np.full(n_bins, -1, np.int64)
    last[s.group] = np.arange(len(s.level))
    n_obs = np.bincount(s.group, minlength=n_bins)
    level_now = np.full(n_bins, np.nan)
    last_hours = np.full(n_bins, np.nan)
    has = last >= 0
    li = last[has]
    sg = seg[li]
    fitted = icpt[sg] + slope[sg] * (x[li] - x0[sg])
    use_fit = (cnt[sg] >= 3) & np.isfinite(fitted)
    level_now[has] = np.clip(np.where(use_fit, fitted, s.level[li]), 0.0, p.max_level)
    last_hours[has] = s.hours[li]
    return _Fit(fleet, rate, rate * lo, rate * hi, n_used, cum, level_now, last_hours, n_obs)


def fit_fleet(readings: Iterable[FillReading], params: ForecastParams) -> FleetModel:
    """Fleet prior rate, weekly profile and band shape from every bin's history."""
    return fit_fleet_arrays(*_arrays(readings), params)


def fit_fleet_arrays(
    sensor_ids: Sequence[str] | np.ndarray,
    utc_seconds: np.ndarray,
    levels: np.ndarray,
    params: ForecastParams,
) -> FleetModel:
    """As :func:`fit_fleet`, from columns (UTC epoch seconds) instead of records."""
    p = params
    if len(sensor_ids) == 0:
        return FleetModel(0.0, WeeklyProfile.flat())
    keys, group = np.unique(np.asarray(sensor_ids, dtype=str), return_inverse=True)
    hours = wp.local_hours_array(np.asarray(utc_seconds, float), p.tz)
    return _fit(group, hours, np.asarray(levels, float), len(keys), p, None).fleet


def _arrays(readings: Iterable[FillReading]) -> tuple[list[str], np.ndarray, np.ndarray]:
    rs = list(readings)
    if any(r.observed_at.tzinfo is None for r in rs):
        raise ValueError("readings' observed_at must be timezone-aware")
    ids = [r.sensor_id for r in rs]
    utc_s = np.array([r.observed_at.timestamp() for r in rs], dtype=float)
    level = np.array([r.filling_level for r in rs], dtype=float)
    return ids, utc_s, level
