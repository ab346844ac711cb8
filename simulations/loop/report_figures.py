"""The report's figures, each a PNG data URI drawn from the study's rows.

Pure: matplotlib's object API (no pyplot state, no tiles or network); one function per figure.
"""

from __future__ import annotations

import base64
import io
import math
from collections import defaultdict
from collections.abc import Sequence

import numpy as np
from matplotlib.artist import Artist
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from simulations.loop.bin_rows import BinOverflowRow, BinPlace
from simulations.loop.fill_rows import FillRow
from simulations.loop.kpis import (
    FLOOR,
    WorkWeek,
    fill_histogram,
    off_day_overflow_l,
    overflow_by_bin,
    work_day_overflow_l,
)
from simulations.loop.kpis.comparison import Comparison, Point
from simulations.loop.kpis.totals import Setting, seed_mean_total
from simulations.loop.results import DayRow

COLOURS = {"fixed": "#7f7f7f", "k-soonest": "#1f77b4", "platform": "#d62728"}
ORDER = ("fixed", "k-soonest", "platform")


def png(fig: Figure) -> str:
    """The figure as a PNG data URI."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def num(p: str) -> float:
    """A setting's value for sorting (NaN when it is not a number)."""
    try:
        return float(p)
    except ValueError:
        return math.nan


def operating_points(c: Comparison) -> list[Point]:
    """The policies' operating points, fixed, k-soonest, platform first."""
    rank = {p: i for i, p in enumerate(ORDER)}
    ops = [op for op in c.points.values() if op is not None]
    return sorted(ops, key=lambda op: (rank.get(op.policy, len(ORDER)), op.policy))


def tradeoff_figure(rows: Sequence[DayRow], c: Comparison, after: int) -> str:
    """Km against overflow per setting, one line per policy; the budget and operating points."""
    km = seed_mean_total(rows, "km", after)
    over = seed_mean_total(rows, "overflow_l", after)
    fig = Figure(figsize=(7, 4.5))
    ax = fig.add_subplot()
    by_policy: dict[str, list[Setting]] = defaultdict(list)
    for s in km:
        by_policy[s[0]].append(s)
    for policy, settings in sorted(by_policy.items()):
        settings.sort(key=lambda s: num(s[1]))
        xs, ys = [km[s] for s in settings], [over[s] for s in settings]
        colour = COLOURS.get(policy, "black")
        ax.plot(xs, ys, "o-", color=colour, label=policy)
        for s, x, y in zip(settings, xs, ys, strict=True):
            ax.annotate(s[1], (x, y), textcoords="offset points", xytext=(4, 4), fontsize=8)
        op = c.points.get(policy)
        if op is not None:
            ax.plot([op.km], [op.overflow_l], "*", ms=16, color=colour, mec="black")
    ax.axhline(c.budget_l, ls="--", color="black", lw=0.8, label="overflow budget")
    ax.set_xlabel("km driven (evaluated days, mean over seeds)")
    ax.set_ylabel("overflow (litres)")
    ax.legend()
    return png(fig)


def daily_figure(rows: Sequence[DayRow], c: Comparison, column: str, label: str, after: int) -> str:
    """``column`` per day at each policy's operating point (mean over seeds); warm-up shaded."""
    fig = Figure(figsize=(7, 3.2))
    ax = fig.add_subplot()
    ax.axvspan(-0.5, after - 0.5, color="0.92", label="warm-up")
    for op in operating_points(c):
        per_day: dict[int, list[float]] = defaultdict(list)
        for r in rows:
            if (r.policy, r.param) == (op.policy, op.param):
                per_day[r.day].append(float(getattr(r, column)))
        days = sorted(per_day)
        ys = [sum(per_day[d]) / len(per_day[d]) for d in days]
        colour = COLOURS.get(op.policy, "black")
        ax.plot(days, ys, ".-", color=colour, label=f"{op.policy} {op.param}")
    ax.set_xlabel("day")
    ax.set_ylabel(label)
    ax.legend(fontsize=8)
    return png(fig)


def overflow_split_figure(rows: Sequence[DayRow], c: Comparison, after: int, week: WorkWeek) -> str:
    """Overflow at each operating point, stacked: days not worked, worked days; the floor."""
    off = off_day_overflow_l(rows, after, week=week)
    work = work_day_overflow_l(rows, after, week=week)
    settings = [FLOOR] + [(op.policy, op.param) for op in operating_points(c)]
    settings = list(dict.fromkeys(s for s in settings if s in off))
    fig = Figure(figsize=(7, 3.6))
    ax = fig.add_subplot()
    xs = np.arange(len(settings))
    colours = [COLOURS.get(s[0], "black") for s in settings]
    ax.bar(xs, [off[s] for s in settings], color=colours, alpha=0.45)
    ax.bar(xs, [work[s] for s in settings], bottom=[off[s] for s in settings], color=colours)
    handles: list[Artist] = [
        Patch(color="0.4", alpha=0.45, label="days not worked"),
        Patch(color="0.4", label="worked days"),
    ]
    if FLOOR in off:
        floor = off[FLOOR] + work[FLOOR]
        handles.append(ax.axhline(floor, ls="--", color="black", lw=0.8, label="floor: fixed k=1"))
    ax.set_xticks(xs, [f"{p} {q}" for p, q in settings])
    ax.set_ylabel("overflow (litres, evaluated days)")
    ax.legend(handles=handles, fontsize=8, loc="lower right")
    return png(fig)


def fill_histogram_figure(fills: Sequence[FillRow], c: Comparison, after: int) -> str:
    """Share of emptyings per fill class at each operating point; the bar at 'full' counts bins
    found overflowing."""
    hists = fill_histogram(fills, after)
    ops = [op for op in operating_points(c) if (op.policy, op.param) in hists]
    fig = Figure(figsize=(9, 3.2))
    axes = fig.subplots(1, max(len(ops), 1), sharey=True, squeeze=False)[0]
    for ax, op in zip(axes, ops, strict=False):
        hist = hists[(op.policy, op.param)]
        colour = COLOURS.get(op.policy, "black")
        for (lo, hi), share in hist.items():
            full = lo == hi
            width = 0.05 if full else hi - lo
            hatch = "//" if full else None
            ax.bar(lo, 100 * share, width=width, align="edge", color=colour, hatch=hatch)
        under = sum(sh for (_, hi), sh in hist.items() if hi <= 0.25 + 1e-9)
        ax.axvline(0.25, ls="--", color="black", lw=0.8)
        ax.set_title(f"{op.policy} {op.param}: {100 * under:.0f} % under 25 %", fontsize=9)
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1.025], ["0", "25 %", "50 %", "75 %", "full"])
        ax.set_xlabel("fill at emptying")
    axes[0].set_ylabel("share of emptyings (%)")
    return png(fig)


def overflow_map_figure(
    bin_overflow: Sequence[BinOverflowRow], places: Sequence[BinPlace], c: Comparison
) -> str:
    """Each bin on lon/lat, sized and coloured by its overflow at each operating point (mean
    over seeds); grey dots never overflowed."""
    ops = operating_points(c)
    per_op = [overflow_by_bin(bin_overflow, (op.policy, op.param)) for op in ops]
    lon = np.array([p.lon for p in places])
    lat = np.array([p.lat for p in places])
    top = max([max(v.values(), default=0.0) for v in per_op] + [1.0])
    norm = Normalize(0.0, top)
    fig = Figure(figsize=(11, 4.8))
    axes = fig.subplots(1, max(len(ops), 1), sharex=True, sharey=True, squeeze=False)[0]
    dots = None
    for ax, op, over in zip(axes, ops, per_op, strict=False):
        litres = np.array([over.get(p.bin_id, 0.0) for p in places])
        hit = litres > 0
        ax.scatter(lon[~hit], lat[~hit], s=3, color="0.75", lw=0)
        order = np.argsort(litres[hit])
        dots = ax.scatter(
            lon[hit][order],
            lat[hit][order],
            c=litres[hit][order],
            s=6 + 120 * np.sqrt(litres[hit][order] / top),
            cmap="YlOrRd",
            norm=norm,
            edgecolors="0.3",
            linewidths=0.3,
        )
        ax.set_title(f"{op.policy} {op.param}: {litres.sum():,.0f} l, {hit.sum()} bins", fontsize=9)
        ax.set_aspect(1.0 / math.cos(math.radians(float(lat.mean()))) if lat.size else 1.0)
        ax.tick_params(labelsize=7)
        ax.xaxis.set_major_locator(MaxNLocator(4))
        ax.set_xlabel("lon")
    axes[0].set_ylabel("lat")
    if dots is not None:
        fig.colorbar(dots, ax=list(axes), shrink=0.8, label="overflow per bin (litres)")
    return png(fig)
