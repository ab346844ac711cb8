"""The report's tables as HTML: totals per setting, the operating points with 95 % intervals
across seeds, the published anchors beside our figures, and fill at emptying per setting.

Pure: rows in, HTML text out.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

from simulations.loop.fill_rows import FillRow
from simulations.loop.kpis import fill_histogram, km_per_collection, seed_interval, share_below
from simulations.loop.kpis.comparison import Comparison
from simulations.loop.kpis.interval import Interval
from simulations.loop.kpis.totals import seed_mean_total
from simulations.loop.report_figures import num, operating_points
from simulations.loop.results import DayRow

TABLE_COLUMNS = (
    "km",
    "drive_h",
    "route_h",
    "overflow_l",
    "overflow_bin_h",
    "collections",
    "disposal_trips",
    "co2_kg",
)
INTERVAL_COLUMNS = ("km", "drive_h", "route_h", "overflow_l", "overflow_bin_h", "collections")
PAPER = "Wouda, Aerts-Veenstra &amp; van Foreest 2024 (arXiv 2409.13386)"
NORDSENSE = "Copenhagen fixed schedule (Nordsense)"
BINCT = "BIN-CT (arXiv 1807.01603)"


def table(head: Sequence[str], body: Sequence[Sequence[str]]) -> str:
    """An HTML table; cells are HTML already, the head is escaped."""
    th = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    trs = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in body)
    return f"<table><tr>{th}</tr>{trs}</table>"


def fmt_interval(iv: Interval) -> str:
    """``mean ± half-width`` of a 95 % interval, or ``mean ± n/a`` with one seed."""
    if iv.n < 2 or math.isnan(iv.half_width):
        return f"{iv.mean:,.1f} <span class='ci'>± n/a</span>"
    return f"{iv.mean:,.1f} <span class='ci'>± {iv.half_width:,.1f}</span>"


def pct(v: float, signed: bool = True) -> str:
    """A percentage to one decimal (``n/a`` for NaN)."""
    if math.isnan(v):
        return "n/a"
    return f"{v:+.1f} %".replace("-", "−") if signed else f"{v:.1f} %"


def totals_table(rows: Sequence[DayRow], after: int) -> str:
    """Each setting's totals over the evaluated days (mean over seeds)."""
    cols = {k: seed_mean_total(rows, k, after) for k in TABLE_COLUMNS}
    settings = sorted(cols["km"], key=lambda s: (s[0], num(s[1]), s[1]))
    body = [
        [html.escape(s[0]), html.escape(s[1]), *(f"{cols[k][s]:,.1f}" for k in TABLE_COLUMNS)]
        for s in settings
    ]
    return table(("policy", "param", *TABLE_COLUMNS), body)


def operating_table(rows: Sequence[DayRow], c: Comparison, after: int) -> str:
    """The operating points' totals with 95 % t-intervals across seeds, and km per emptying."""
    ivs = {k: seed_interval(rows, k, after) for k in INTERVAL_COLUMNS}
    per = km_per_collection(rows, after)
    body = []
    for op in operating_points(c):
        s = (op.policy, op.param)
        cells = [fmt_interval(ivs[k][s]) for k in INTERVAL_COLUMNS]
        body.append([html.escape(op.policy), html.escape(op.param), *cells, f"{per[s]:.3f}"])
    return table(("policy", "param", *INTERVAL_COLUMNS, "km per emptying"), body)


def anchors_table(
    rows: Sequence[DayRow], c: Comparison, after: int, fills: Sequence[FillRow] | None
) -> str:
    """The published figures beside ours, with how ours is defined."""
    fixed, mine = c.points.get("fixed"), c.points.get("platform")
    per = km_per_collection(rows, after)
    bin_ct = math.nan
    if fixed and mine:
        theirs = per[(fixed.policy, fixed.param)]
        bin_ct = 100.0 * (per[(mine.policy, mine.param)] / theirs - 1.0) if theirs > 0 else bin_ct
    if fills is None:
        under = "n/a (no fill_at_emptying.csv)"
    elif fixed is None:
        under = "n/a (fixed has no operating point)"
    else:
        share = share_below(fills, after).get((fixed.policy, fixed.param), math.nan)
        under = f"{pct(100 * share, signed=False)} of emptyings (fixed k={fixed.param})"
    body = [
        [
            PAPER,
            "−41.7 % km vs k-soonest",
            pct(c.figures["km_vs_ksoonest_pct"]) + " km",
            "platform vs k-soonest at their operating points",
        ],
        [
            PAPER,
            "−94 % overflow volume vs k-soonest",
            pct(c.figures["overflow_vs_ksoonest_pct"]) + " overflow",
            "least-overflow platform setting driving no more km than k-soonest's operating point",
        ],
        [
            NORDSENSE,
            "40 % of emptyings under 25 % full",
            under,
            "our fixed schedule at its operating point, evaluated days",
        ],
        [
            BINCT,
            "−20 % distance per container vs fixed",
            pct(bin_ct) + " km per emptying",
            "platform vs fixed at their operating points, km / bins emptied",
        ],
    ]
    return table(("source", "published", "ours", "how ours is measured"), body)


def fill_table(fills: Sequence[FillRow], after: int) -> str:
    """Per setting: emptyings per seed, share under 25 % full, share 75 % full or more, share
    found full."""
    hists = fill_histogram(fills, after)
    under = share_below(fills, after)
    n_seeds: dict[tuple[str, str], set[int]] = {}
    count: dict[tuple[str, str], int] = {}
    for r in fills:
        if r.day >= after:
            s = (r.policy, r.param)
            n_seeds.setdefault(s, set()).add(r.seed)
            count[s] = count.get(s, 0) + r.emptyings
    body = []
    for s in sorted(hists, key=lambda s: (s[0], num(s[1]), s[1])):
        h = hists[s]
        high = sum(v for (lo, _), v in h.items() if lo >= 0.75 - 1e-9)
        full = sum(v for (lo, hi), v in h.items() if lo == hi)
        body.append(
            [
                html.escape(s[0]),
                html.escape(s[1]),
                f"{count[s] / len(n_seeds[s]):,.0f}",
                pct(100 * under[s], signed=False),
                pct(100 * high, signed=False),
                pct(100 * full, signed=False),
            ]
        )
    head = ("policy", "param", "emptyings per seed", "under 25 %", "75 % or more", "found full")
    return table(head, body)
