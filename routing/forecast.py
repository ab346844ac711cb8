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
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

import numpy as np

from core.domain import Bin
from core.records import FillReading
from routing import weekly_profile as wp
from routing.weekly_profile import WEEK_H, WeeklyProfile


class ForecastMethod(StrEnum):
    """How a bin's rate was obtained."""

    NO_DATA = "no_data"  # no readings: nothing is known about the bin
    FLEET_PRIOR = "fleet_prior"  # readings but no usable rising segment: fleet rate
    BIN_HISTORY = "bin_history"  # own segments, shrunk toward the fleet rate


@dataclass(frozen=True, slots=True)
class ForecastParams:
    """Tuning of the forecaster; levels are fillingLevel fractions, times hours."""

    tz: str = "Europe/Copenhagen"
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
class Forecast:
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
    tz: str = "Europe/Copenhagen"

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


def fit_fleet(readings: Iterable[FillReading], params: ForecastParams | None = None) -> FleetModel:
    """Fleet prior rate, weekly profile and band shape from every bin's history."""
    return fit_fleet_arrays(*_arrays(readings), params)


def fit_fleet_arrays(
    sensor_ids: Sequence[str] | np.ndarray,
    utc_seconds: np.ndarray,
    levels: np.ndarray,
    params: ForecastParams | None = None,
) -> FleetModel:
    """As :func:`fit_fleet`, from columns (UTC epoch seconds) instead of records."""
    p = params or ForecastParams()
    if len(sensor_ids) == 0:
        return FleetModel(0.0, WeeklyProfile.flat())
    keys, group = np.unique(np.asarray(sensor_ids, dtype=str), return_inverse=True)
    hours = wp.local_hours_array(np.asarray(utc_seconds, float), p.tz)
    return _fit(group, hours, np.asarray(levels, float), len(keys), p, None).fleet


def forecast_fleet(
    bins: Sequence[Bin],
    readings: Iterable[FillReading],
    params: ForecastParams | None = None,
    fleet: FleetModel | None = None,
) -> dict[str, Forecast]:
    """A forecast per bin from the readings whose ``sensor_id`` is the bin id.

    Readings of unknown bins are ignored. Without ``fleet``, it is fitted on these readings.
    """
    p = params or ForecastParams()
    ids, utc_s, level = _arrays(readings)
    return forecast_arrays(bins, ids, utc_s, level, p, fleet)


def forecast_arrays(
    bins: Sequence[Bin],
    sensor_ids: Sequence[str] | np.ndarray,
    utc_seconds: np.ndarray,
    levels: np.ndarray,
    params: ForecastParams | None = None,
    fleet: FleetModel | None = None,
) -> dict[str, Forecast]:
    """As :func:`forecast_fleet`, from columns (UTC epoch seconds) instead of records."""
    p = params or ForecastParams()
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
    out: dict[str, Forecast] = {}
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
        out[b.bin_id] = Forecast(
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


def _arrays(readings: Iterable[FillReading]) -> tuple[list[str], np.ndarray, np.ndarray]:
    rs = list(readings)
    if any(r.observed_at.tzinfo is None for r in rs):
        raise ValueError("readings' observed_at must be timezone-aware")
    ids = [r.sensor_id for r in rs]
    utc_s = np.array([r.observed_at.timestamp() for r in rs], dtype=float)
    level = np.array([r.filling_level for r in rs], dtype=float)
    return ids, utc_s, level
