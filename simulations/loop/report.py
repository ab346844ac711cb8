"""The study's report: one self-contained HTML page drawn from the daily rows alone.

Pure: returns the page as text (figures are PNGs embedded as data URIs, drawn with
matplotlib's object API, no pyplot state). Regenerate it from ``daily.csv`` at any time.
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections import defaultdict
from collections.abc import Sequence

from matplotlib.figure import Figure

from simulations.loop.kpis.comparison import Comparison
from simulations.loop.kpis.totals import Setting, seed_mean_total
from simulations.loop.results import DayRow

COLOURS = {"fixed": "#7f7f7f", "k-soonest": "#1f77b4", "platform": "#d62728"}
TABLE_COLUMNS = ("km", "overflow_l", "overflow_bin_h", "collections", "disposal_trips", "co2_kg")


def _png(fig: Figure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _num(p: str) -> float:
    try:
        return float(p)
    except ValueError:
        return math.nan


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
        settings.sort(key=lambda s: _num(s[1]))
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
    return _png(fig)


def daily_figure(rows: Sequence[DayRow], c: Comparison, column: str, label: str, after: int) -> str:
    """``column`` per day at each policy's operating point (mean over seeds); warm-up shaded."""
    fig = Figure(figsize=(7, 3.2))
    ax = fig.add_subplot()
    ax.axvspan(-0.5, after - 0.5, color="0.92", label="warm-up")
    for policy, op in sorted(c.points.items()):
        if op is None:
            continue
        per_day: dict[int, list[float]] = defaultdict(list)
        for r in rows:
            if (r.policy, r.param) == (op.policy, op.param):
                per_day[r.day].append(float(getattr(r, column)))
        days = sorted(per_day)
        ys = [sum(per_day[d]) / len(per_day[d]) for d in days]
        ax.plot(days, ys, ".-", color=COLOURS.get(policy, "black"), label=f"{policy} {op.param}")
    ax.set_xlabel("day")
    ax.set_ylabel(label)
    ax.legend(fontsize=8)
    return _png(fig)


def totals_table(rows: Sequence[DayRow], after: int) -> str:
    """HTML table of each setting's totals over the evaluated days (mean over seeds)."""
    cols = {k: seed_mean_total(rows, k, after) for k in TABLE_COLUMNS}
    settings = sorted(cols["km"], key=lambda s: (s[0], _num(s[1]), s[1]))
    head = "".join(f"<th>{html.escape(k)}</th>" for k in ("policy", "param", *TABLE_COLUMNS))
    body = []
    for s in settings:
        cells = "".join(f"<td>{cols[k][s]:,.1f}</td>" for k in TABLE_COLUMNS)
        body.append(f"<tr><td>{html.escape(s[0])}</td><td>{html.escape(s[1])}</td>{cells}</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def report_html(rows: Sequence[DayRow], c: Comparison, after: int, result: str) -> str:
    """The whole page."""
    ops = ", ".join(
        f"{p}: {op.param}" if op else f"{p}: none within budget"
        for p, op in sorted(c.points.items())
    )
    figs = [
        ("Km against overflow", tradeoff_figure(rows, c, after)),
        ("Overflow per day", daily_figure(rows, c, "overflow_l", "overflow (litres)", after)),
        ("Km per day", daily_figure(rows, c, "km", "km", after)),
    ]
    imgs = "".join(
        f"<h2>{html.escape(t)}</h2><img alt='{html.escape(t)}' src='{src}'>" for t, src in figs
    )
    style = (
        "body{font-family:sans-serif;max-width:60em;margin:auto}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;"
        "text-align:right}"
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>What-if study</title>"
        f"<style>{style}</style></head><body><h1>What-if study</h1>"
        f"<p><code>{html.escape(result)}</code></p>"
        f"<p>Days before day {after} are warm-up and left out. Deposited litter (evaluated days):"
        f" {c.deposited_l:,.0f} l; overflow budget {c.budget_l:,.0f} l."
        f" Operating points: {html.escape(ops)}.</p>"
        f"{imgs}<h2>Totals per setting</h2>{totals_table(rows, after)}</body></html>\n"
    )
