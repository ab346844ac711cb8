"""Backtest of the fill forecasters on the Edinburgh 2016 Enevo collection log.

For every site and every collection with at least ``--min-history`` earlier collection
intervals, predict ``fill_before_pct`` at that collection from strictly earlier events only, and
compare with two naive baselines (last interval's rate, fleet mean rate). Two forecasters:

* ``model``: :mod:`forecasting.interval_model` (growth curve in hours since the last emptying,
  per-bin and recent evidence shrunk toward the fleet, median blend) with its calibrated P(full);
* ``segment``: :mod:`forecasting.forecast`, the platform's linear-segment forecaster, fed each
  site's past collections as a fill series (every interval one rising segment).

Rolling origin, no leakage: at the start of every week everything is refitted on events before
that week only. P(full) (the reading at the sensor's full mark, i.e. would overflow before this
collection) is recalibrated every week by isotonic regression on the predictions of earlier weeks
only (warm-up weeks from ``--calibration-from`` are predicted for that and not scored). The one
hyper-parameter (``shrink_intervals``) is chosen on the validation weeks before
``--holdout-from``; figures are given on all evaluation weeks and on the held-out weeks alone.
Writes ``reliability.csv``/``.txt``/``.svg`` and ``cases.csv`` to ``--out``.

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
from forecasting.calibration import (
    Calibrator,
    expected_calibration_error,
    fit_isotonic,
    reliability,
)
from forecasting.edinburgh import CollectionEvent, by_site, load_collections
from forecasting.forecast import ForecastParams, fit_fleet_arrays, forecast_arrays
from forecasting.interval_model import IntervalParams, fit_interval_model, predict_interval
from simulations.loop.risk import RiskModel, outlook

BUCKETS = ((0, 12), (12, 24), (24, 48), (48, 96), (96, 10_000))
SHRINK_GRID = (0.5, 1.0, 3.0, 10.0)
PARAMS = ForecastParams(
    tz="Europe/London",
    spike_tol=None,  # collection logs carry no ultrasonic spikes
    max_gap_h=None,  # the log lists every emptying, so a long interval hides none
    drop_tol=0.02,
    outlier_tol=1.0,  # two points per segment: nothing to refit
    span_power=0.0,  # exact endpoints: every interval is one equally good draw of the rate
)
INTERVAL = IntervalParams(tz="Europe/London", full_level=1.0)  # levels on the sensor's scale


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


def _log_columns(
    events: Sequence[CollectionEvent],
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    ids = [e.site_id for e in events]
    t = np.array([e.collected_at.timestamp() for e in events])
    before = np.array([e.fill_before_pct / 100.0 for e in events])
    after = np.array([e.fill_after_pct / 100.0 for e in events])
    return ids, t, before, after


def _segment(
    sites: dict[str, list[CollectionEvent]],
    todo: list[Case],
    start: datetime,
    calibrator: Calibrator,
) -> tuple[list[float], list[float], list[float]]:
    """The platform forecaster's level and risk-model P(full), raw and through ``calibrator``
    (the platform's own calibration step, :class:`~simulations.loop.risk.RiskModel`), for the
    week's cases."""
    ids, ts, ys = [], [], []
    for s, h in sites.items():
        t, y = _series([e for e in h if e.collected_at < start])
        ids += [s] * len(t)
        ts += t
        ys += y
    fleet = fit_fleet_arrays(ids, np.array(ts), np.array(ys), PARAMS)
    bins, ids, ts, ys = [], [], [], []
    for c in todo:
        vid = f"{c.site_id}#{c.k}"
        bins.append(Bin(vid, 0.0, 0.0, "", "", threshold=1.0))
        t, y = _series(sites[c.site_id][: c.k])
        ids += [vid] * len(t)
        ts += t
        ys += y
    forecasts = forecast_arrays(bins, ids, np.array(ts), np.array(ys), PARAMS, fleet)
    o, risk = outlook(bins, forecasts, RiskModel()), RiskModel()
    calibrated = RiskModel(calibrator=calibrator)
    levels, probs, probs_cal = [], [], []
    for i, (c, b) in enumerate(zip(todo, bins, strict=True)):
        level = forecasts[b.bin_id].level_at(c.at)
        levels.append(100.0 * (level if level is not None else 0.0))
        one = replace(
            o,
            known=o.known[i : i + 1],
            level_now=o.level_now[i : i + 1],
            rate=o.rate[i : i + 1],
            log_sd=o.log_sd[i : i + 1],
            as_of_h=o.as_of_h[i : i + 1],
            cum=o.cum[i : i + 1],
        )
        probs.append(float(one.p_overflow(c.at, PARAMS.tz, risk)[0]))
        probs_cal.append(float(one.p_overflow(c.at, PARAMS.tz, calibrated)[0]))
    return levels, probs, probs_cal


def run(
    events: Sequence[CollectionEvent],
    min_history: int,
    calibration_from: datetime,
    shrink: float,
    segment: bool = True,
    trigger: bool = False,
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
        if h[k].collected_at >= calibration_from
    ]
    ids, t, before, after = _log_columns(events)
    params = replace(INTERVAL, shrink_intervals=shrink, trigger_feature=trigger)
    keys = ("model", "p_full", "p_raw", "segment", "p_segment", "p_segment_raw", "last_rate",
            "mean_rate")  # fmt: skip
    pred: dict[str, list[float]] = {k: [] for k in (*keys, "truth", "horizon", "at")}
    last_at, week = max(c.at for c in cases), calibration_from
    while week <= last_at:
        todo = [c for c in cases if week <= c.at < week + timedelta(days=7)]
        week_start, week = week, week + timedelta(days=7)
        if not todo:
            continue
        past = t < week_start.timestamp()
        model = fit_interval_model([ids[i] for i in np.flatnonzero(past)], t[past],
                                   before[past], after[past], params)  # fmt: skip
        if pred["p_raw"]:  # recalibrate on earlier weeks' out-of-sample predictions only
            model = model.with_calibrator(
                fit_isotonic(pred["p_raw"], np.array(pred["truth"]) >= 100.0)
            )
        q = predict_interval(
            model, ids, t, before, after, [c.site_id for c in todo],
            np.array([c.at.timestamp() for c in todo]),
        )  # fmt: skip
        pred["model"] += (100.0 * q.level).tolist()
        pred["p_full"] += q.p_full.tolist()
        pred["p_raw"] += q.p_full_raw.tolist()
        seg_cal = fit_isotonic(pred["p_segment_raw"], np.array(pred["truth"]) >= 100.0)
        seg_level, seg_p, seg_p_cal = (
            _segment(sites, todo, week_start, seg_cal) if segment else ([np.nan] * len(todo),) * 3
        )
        pred["segment"] += seg_level
        pred["p_segment_raw"] += seg_p
        pred["p_segment"] += seg_p_cal
        mean_rate = float(
            np.mean(
                [
                    r
                    for h in sites.values()
                    for r in _interval_rates([e for e in h if e.collected_at < week_start])
                ]
            )
        )
        for c in todo:
            h = sites[c.site_id]
            start = h[c.k - 1].fill_after_pct
            pred["last_rate"].append(start + _interval_rates(h[c.k - 2 : c.k])[0] * c.horizon_h)
            pred["mean_rate"].append(start + mean_rate * c.horizon_h)
            pred["truth"].append(c.truth_pct)
            pred["horizon"].append(c.horizon_h)
            pred["at"].append(c.at.timestamp())
    out = {k: np.asarray(v, float) for k, v in pred.items()}
    for k in ("model", "segment", "last_rate", "mean_rate"):
        out[k] = np.clip(out[k], 0.0, 100.0)  # the sensor scale saturates at its full mark
    return out


def _subset(r: dict[str, np.ndarray], m: np.ndarray) -> dict[str, np.ndarray]:
    return {k: v[m] for k, v in r.items()}


def _mae(r: dict[str, np.ndarray], name: str) -> float:
    return float(np.abs(r[name] - r["truth"]).mean()) if len(r["truth"]) else float("nan")


def write_outputs(out: Path, r: dict[str, np.ndarray]) -> str:
    """Cases (tidy CSV), then the reliability table (CSV, text) and diagram (SVG) from them."""
    out.mkdir(parents=True, exist_ok=True)
    cols = ("at", "horizon", "truth", "model", "segment", "last_rate", "mean_rate", "p_full",
            "p_raw", "p_segment", "p_segment_raw")  # fmt: skip
    rows = np.column_stack([r[c] for c in cols])
    np.savetxt(
        out / "cases.csv", rows, delimiter=",", header=",".join(cols), comments="", fmt="%.6g"
    )
    outcome = r["truth"] >= 100.0
    lines, text, points = _reliability_table(r["p_full"], outcome)
    (out / "reliability.csv").write_text("\n".join(lines) + "\n")
    ece = expected_calibration_error(r["p_full"], outcome)
    text.append(f"ECE {ece:.4f} over {len(outcome)} collections (event: at the full mark)")
    (out / "reliability.txt").write_text("\n".join(text) + "\n")
    size, pad = 320, 40
    xy = lambda x, y: (pad + x * size, pad + (1 - y) * size)  # noqa: E731
    dots = "".join(
        f'<circle cx="{xy(x, y)[0]:.1f}" cy="{xy(x, y)[1]:.1f}" '
        f'r="{2 + 6 * (n / len(outcome)) ** 0.5:.1f}" '
        f'fill="#1f77b4"><title>predicted {x:.3f}, observed {y:.3f}, n={n}</title></circle>'
        for x, y, n in points
    )
    path = " ".join(f"{xy(x, y)[0]:.1f},{xy(x, y)[1]:.1f}" for x, y, _ in points)
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" '
        f'width="{size + 2 * pad}" height="{size + 2 * pad}">'
        f'<rect x="{pad}" y="{pad}" width="{size}" height="{size}" fill="none" stroke="#888"/>'
        f'<line x1="{pad}" y1="{pad + size}" x2="{pad + size}" y2="{pad}" stroke="#888" '
        'stroke-dasharray="4 3"/>'
        f'<polyline points="{path}" fill="none" stroke="#1f77b4"/>{dots}'
        f'<text x="{pad}" y="{pad - 12}" font-size="12">'
        f"Edinburgh P(full) reliability, ECE {ece:.3f}</text>"
        f'<text x="{pad + size / 2 - 40}" y="{pad + size + 28}" font-size="11">predicted</text>'
        f'<text x="10" y="{pad + size / 2}" font-size="11" '
        f'transform="rotate(-90 10 {pad + size / 2})">'
        "observed</text></svg>\n"
    )
    (out / "reliability.svg").write_text(svg)
    seg_lines, seg_text, _ = _reliability_table(r["p_segment"], outcome)
    seg_ece = expected_calibration_error(r["p_segment"], outcome)
    seg_text.append(f"ECE {seg_ece:.4f} over {len(outcome)} collections (platform risk model)")
    (out / "reliability_platform_risk.csv").write_text("\n".join(seg_lines) + "\n")
    (out / "reliability_platform_risk.txt").write_text("\n".join(seg_text) + "\n")
    return (
        "reliability (calibrated P(full), scored weeks):\n"
        + "\n".join(text)
        + "\nreliability (the platform's risk-model P(full) through its calibration step):\n"
        + "\n".join(seg_text)
        + f"\nwritten to {out}/"
    )


def _reliability_table(
    p: np.ndarray, outcome: np.ndarray
) -> tuple[list[str], list[str], list[tuple[float, float, int]]]:
    """Reliability rows as CSV lines, text lines and (predicted, observed, count) points."""
    lines = ["p_lo,p_hi,count,mean_predicted,observed_rate"]
    text = [f"{'bin':>9} {'count':>6} {'predicted':>9} {'observed':>9}"]
    points = []
    for row in reliability(p, outcome):
        lines.append(
            f"{row.lo:.1f},{row.hi:.1f},{row.count},{row.mean_predicted:.4f},{row.observed_rate:.4f}"
        )
        text.append(
            f"{row.lo:.1f}-{row.hi:.1f} {row.count:>6} "
            f"{row.mean_predicted:>9.3f} {row.observed_rate:>9.3f}"
        )
        if row.count:
            points.append((row.mean_predicted, row.observed_rate, row.count))
    return lines, text, points


def report(
    r: dict[str, np.ndarray], holdout: dict[str, np.ndarray]
) -> tuple[str, dict[str, float]]:
    names = ("model", "segment", "last_rate", "mean_rate")
    lines = [f"{'horizon_h':>12} {'events':>7} " + " ".join(f"{n:>10}" for n in names) + "  skill"]
    bands = [("all", np.ones(len(r["truth"]), bool))] + [
        (f"{lo}-{hi}" if hi < 10_000 else f"gt{lo}", (r["horizon"] > lo) & (r["horizon"] <= hi))
        for lo, hi in BUCKETS
    ]
    keys: dict[str, float] = {}
    for label, m in bands:
        sub = _subset(r, m)
        maes = [_mae(sub, n) for n in names]
        skill = 1.0 - maes[0] / maes[2]
        keys[f"skill_{label.replace('-', '_')}"] = skill
        lines.append(
            f"{label:>12} {int(m.sum()):>7} "
            + " ".join(f"{v:>10.2f}" for v in maes)
            + f"  {skill:+.3f}"
        )
    outcome = r["truth"] >= 100.0
    keys |= {
        "mae_model": _mae(r, "model"),
        "mae_segment": _mae(r, "segment"),
        "mae_last_rate": _mae(r, "last_rate"),
        "mae_mean_rate": _mae(r, "mean_rate"),
        "improvement_pct": 100.0 * (1.0 - _mae(r, "model") / _mae(r, "last_rate")),
        "improvement_holdout_pct": 100.0
        * (1.0 - _mae(holdout, "model") / _mae(holdout, "last_rate")),
        "ece": expected_calibration_error(r["p_full"], outcome),
        "ece_raw": expected_calibration_error(r["p_raw"], outcome),
        "ece_holdout": expected_calibration_error(holdout["p_full"], holdout["truth"] >= 100.0),
        "ece_segment_risk": expected_calibration_error(r["p_segment"], outcome),
        "ece_segment_risk_raw": expected_calibration_error(r["p_segment_raw"], outcome),
    }
    return "\n".join(lines), keys


def _evaluate(events: Sequence[CollectionEvent], args: argparse.Namespace, shrink: float,
              segment: bool, trigger: bool = False) -> dict[str, np.ndarray]:  # fmt: skip
    return run(events, args.min_history, args.calibration_from, shrink, segment, trigger)


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csv", type=Path, default=Settings().edinburgh_bins)
    ap.add_argument("--min-history", type=int, default=2, help="past intervals required")
    ap.add_argument("--first-week", default="2016-06-17", help="first evaluation week (local)")
    ap.add_argument("--calibration-from", default="2016-06-10", help="first warm-up week (local)")
    ap.add_argument("--holdout-from", default="2016-07-08", help="held-out weeks start (local)")
    ap.add_argument("--out", type=Path, default=Path("var/benchmarks/forecast_edinburgh"))
    ap.add_argument("--no-segment", action="store_true", help="skip the platform forecaster")
    args = ap.parse_args(argv)
    loaded = load_collections(args.csv)
    tz = loaded.events[0].collected_at.tzinfo
    first, hold = (
        datetime.fromisoformat(x).replace(tzinfo=tz) for x in (args.first_week, args.holdout_from)
    )
    args.calibration_from = datetime.fromisoformat(args.calibration_from).replace(tzinfo=tz)
    started = time.perf_counter()
    # hyper-parameter on the validation weeks [first, hold) only
    val_mae = {}
    for s in SHRINK_GRID:
        r = _evaluate(loaded.events, args, s, segment=False)
        at = r["at"]
        val_mae[s] = _mae(_subset(r, (at >= first.timestamp()) & (at < hold.timestamp())), "model")
    shrink = min(val_mae, key=lambda s: val_mae[s])
    r = _evaluate(loaded.events, args, shrink, segment=not args.no_segment)
    trig = _evaluate(loaded.events, args, shrink, segment=False, trigger=True)
    scored = r["at"] >= first.timestamp()
    held = r["at"] >= hold.timestamp()
    table, keys = report(_subset(r, scored), _subset(r, held))
    _, hold_keys = report(_subset(r, held), _subset(r, held))
    val = scored & ~held
    print(
        f"{len(loaded.events)} collection events, skipped {loaded.skipped or 'none'}; "
        f"backtest {time.perf_counter() - started:.1f} s; MAE in points of fill_before_pct\n"
        "validation MAE by shrink_intervals: "
        + ", ".join(f"{s:g}: {m:.3f}" for s, m in val_mae.items())
        + f" -> {shrink:g}\n"
        f"trigger hypothesis (log previous interval as a feature): validation MAE "
        f"{_mae(_subset(trig, val), 'model'):.3f} with vs {_mae(_subset(r, val), 'model'):.3f} "
        f"without; held-out {_mae(_subset(trig, held), 'model'):.3f} "
        f"vs {_mae(_subset(r, held), 'model'):.3f}"
    )
    print(table)
    print("held-out weeks only:\n" + report(_subset(r, held), _subset(r, held))[0])
    print(write_outputs(args.out, _subset(r, scored)))
    bands = " ".join(f"{k}={v:.3f}" for k, v in keys.items() if k.startswith("skill_"))
    hold_bands = min(v for k, v in hold_keys.items() if k.startswith("skill_"))
    print(
        f"RESULT forecast_mae_model={keys['mae_model']:.2f} "
        f"forecast_mae_segment={keys['mae_segment']:.2f} "
        f"forecast_mae_last_rate={keys['mae_last_rate']:.2f} "
        f"forecast_mae_mean_rate={keys['mae_mean_rate']:.2f} events={int(scored.sum())} "
        f"improvement_pct={keys['improvement_pct']:.1f} "
        f"improvement_holdout_pct={keys['improvement_holdout_pct']:.1f} {bands} "
        f"min_skill_holdout={hold_bands:.3f} ece={keys['ece']:.4f} ece_raw={keys['ece_raw']:.4f} "
        f"ece_holdout={keys['ece_holdout']:.4f} ece_segment_risk={keys['ece_segment_risk']:.4f} "
        f"ece_segment_risk_raw={keys['ece_segment_risk_raw']:.4f} "
        f"shrink_intervals={shrink:g}"
    )


if __name__ == "__main__":
    main()
