"""Backtest of the fill forecaster on the Edinburgh 2016 Enevo collection log.

For every site and every collection with at least ``--min-history`` earlier collection
intervals, predict ``fill_before_pct`` at that collection from strictly earlier events only, and
compare with two naive baselines. The model is :mod:`forecasting.forecast` itself: each site's past
collections become a fill series (``fill_before`` just before each emptying, ``fill_after`` at it),
so every inter-collection interval is one rising segment. Fleet quantities (prior rate, weekly
profile, band; and the mean-rate baseline) are refitted at the start of every evaluation week on
events before that week only (rolling origin, no leakage).

    .venv/bin/python benchmarks/forecast_edinburgh.py
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from core.domain import Bin
from core.settings import Settings
from forecasting.edinburgh import CollectionEvent, by_site, load_collections
from forecasting.forecast import ForecastParams, fit_fleet_arrays, forecast_arrays

BUCKETS = ((0, 12), (12, 24), (24, 48), (48, 96), (96, 10_000))
PARAMS = ForecastParams(
    tz="Europe/London",
    spike_tol=None,  # collection logs carry no ultrasonic spikes
    max_gap_h=None,  # the log lists every emptying, so a long interval hides none
    drop_tol=0.02,
    outlier_tol=1.0,  # two points per segment: nothing to refit
    span_power=0.0,  # exact endpoints: every interval is one equally good draw of the rate
)


@dataclass(frozen=True, slots=True)
class Case:
    """One collection to predict: its site's history index and the observed truth."""

    site_id: str
    k: int  # index of the predicted collection in the site's history
    at: datetime
    horizon_h: float
    truth_pct: float


def _series(history: Sequence[CollectionEvent]) -> tuple[list[float], list[float]]:
    """A site's past collections as (UTC seconds, sensor fraction) readings."""
    ts: list[float] = []
    ys: list[float] = []
    for e in history:
        t = e.collected_at.timestamp()
        ts += [t - 1.0, t]
        ys += [e.fill_before_pct / 100.0, e.fill_after_pct / 100.0]
    return ts, ys


def _interval_rates(history: Sequence[CollectionEvent]) -> list[float]:
    """Sensor-% per hour of each interval between consecutive collections."""
    out = []
    for a, b in zip(history, history[1:], strict=False):
        dt = (b.collected_at - a.collected_at).total_seconds() / 3600.0
        out.append((b.fill_before_pct - a.fill_after_pct) / dt)
    return out


def run(
    events: Sequence[CollectionEvent],
    params: ForecastParams,
    min_history: int,
    first_week: datetime,
) -> dict[str, np.ndarray]:
    sites = by_site(events)
    cases = [
        Case(
            s,
            k,
            h[k].collected_at,
            (h[k].collected_at - h[k - 1].collected_at).total_seconds() / 3600.0,
            h[k].fill_before_pct,
        )
        for s, h in sites.items()
        for k in range(min_history + 1, len(h))
        if h[k].collected_at >= first_week
    ]
    last_at = max(c.at for c in cases)
    pred: dict[str, list[float]] = {
        k: [] for k in ("model", "last_rate", "mean_rate", "truth", "horizon")
    }
    week = first_week
    while week <= last_at:
        todo = [c for c in cases if week <= c.at < week + timedelta(days=7)]
        week_end, week_start = week + timedelta(days=7), week
        week = week_end
        if not todo:
            continue
        # fleet: everything collected before the week starts
        ids, ts, ys, rates = [], [], [], []
        for s, h in sites.items():
            past = [e for e in h if e.collected_at < week_start]
            t, y = _series(past)
            ids += [s] * len(t)
            ts += t
            ys += y
            rates += _interval_rates(past)
        fleet = fit_fleet_arrays(ids, np.array(ts), np.array(ys), params)
        mean_rate = float(np.mean(rates))
        # one virtual bin per case, with that site's history strictly before the case
        bins, ids, ts, ys = [], [], [], []
        for c in todo:
            vid = f"{c.site_id}#{c.k}"
            bins.append(Bin(vid, 0.0, 0.0, "", "", threshold=1.0))
            t, y = _series(sites[c.site_id][: c.k])
            ids += [vid] * len(t)
            ts += t
            ys += y
        forecasts = forecast_arrays(bins, ids, np.array(ts), np.array(ys), params, fleet)
        for c, b in zip(todo, bins, strict=True):
            h = sites[c.site_id]
            level = forecasts[b.bin_id].level_at(c.at)
            pred["model"].append(100.0 * (level if level is not None else 0.0))
            last = _interval_rates(h[: c.k])[-1]
            start = h[c.k - 1].fill_after_pct
            pred["last_rate"].append(start + last * c.horizon_h)
            pred["mean_rate"].append(start + mean_rate * c.horizon_h)
            pred["truth"].append(c.truth_pct)
            pred["horizon"].append(c.horizon_h)
    out = {k: np.asarray(v, float) for k, v in pred.items()}
    for k in ("model", "last_rate", "mean_rate"):
        out[k] = np.clip(out[k], 0.0, 100.0)  # the sensor scale saturates at its full mark
    return out


def report(r: dict[str, np.ndarray]) -> str:
    names = ("model", "last_rate", "mean_rate")
    lines = [f"{'horizon_h':>12} {'events':>7} " + " ".join(f"{n:>10}" for n in names)]
    rows = [("all", np.ones(len(r["truth"]), bool))] + [
        (f"{lo}-{hi}" if hi < 10_000 else f">{lo}", (r["horizon"] > lo) & (r["horizon"] <= hi))
        for lo, hi in BUCKETS
    ]
    for label, m in rows:
        maes = [np.abs(r[n][m] - r["truth"][m]).mean() if m.any() else np.nan for n in names]
        lines.append(f"{label:>12} {int(m.sum()):>7} " + " ".join(f"{v:>10.2f}" for v in maes))
    mae = {n: np.abs(r[n] - r["truth"]).mean() for n in names}
    lines.append(
        f"RESULT forecast_mae_model={mae['model']:.2f} "
        f"forecast_mae_last_rate={mae['last_rate']:.2f} "
        f"forecast_mae_mean_rate={mae['mean_rate']:.2f} events={len(r['truth'])}"
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv", type=Path, default=Settings().edinburgh_bins)
    ap.add_argument("--min-history", type=int, default=2, help="past intervals required")
    ap.add_argument("--first-week", default="2016-06-17", help="first evaluation week (local)")
    ap.add_argument("--prior-hours", type=float, default=PARAMS.prior_hours)
    ap.add_argument("--profile-strength", type=float, default=PARAMS.profile_strength)
    args = ap.parse_args(argv)
    loaded = load_collections(args.csv)
    params = replace(PARAMS, prior_hours=args.prior_hours, profile_strength=args.profile_strength)
    first = datetime.fromisoformat(args.first_week).replace(
        tzinfo=loaded.events[0].collected_at.tzinfo
    )
    start = time.perf_counter()
    result = run(loaded.events, params, args.min_history, first)
    print(
        f"{len(loaded.events)} collection events, skipped {loaded.skipped or 'none'}; "
        f"backtest {time.perf_counter() - start:.1f} s; MAE in points of fill_before_pct"
    )
    print(report(result))


if __name__ == "__main__":
    main()
