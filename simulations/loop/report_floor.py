"""The report's explanation of a small overflow advantage: the floor no once-a-day policy gets
under, split into days not worked and worked days, and each operating point's overflow above it.

Pure: rows in, HTML text out; the figures come from :mod:`simulations.loop.kpis`.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from simulations.loop.config import WEEKDAY_NAMES
from simulations.loop.kpis import (
    FLOOR,
    WorkWeek,
    avoidable_overflow_l,
    deposited_l,
    off_day_overflow_l,
    overflow_l,
    work_day_overflow_l,
)
from simulations.loop.kpis.comparison import Comparison
from simulations.loop.report_figures import operating_points
from simulations.loop.report_tables import table
from simulations.loop.results import DayRow

HEAD = (
    "policy",
    "param",
    "overflow l",
    "days not worked",
    "worked days",
    "above floor",
    "above floor, days not worked",
    "above floor, worked days",
    "floor share of overflow",
)


def _l(v: float, signed: bool = False) -> str:
    return (f"{v:+,.0f} l" if signed else f"{v:,.0f} l").replace("-", "−")


def _pct(v: float) -> str:
    return f"{v:+.1f} %".replace("-", "−")


def floor_section(rows: Sequence[DayRow], c: Comparison, after: int, week: WorkWeek) -> str:
    """Text and table: the floor (fixed k = 1), its split by day type, the overflow above it."""
    over, dep = overflow_l(rows, after), deposited_l(rows, after)
    if FLOOR not in over:
        return "<p class='note'>No fixed k = 1 run: no overflow floor to measure against.</p>"
    off = off_day_overflow_l(rows, after, week=week)
    work = work_day_overflow_l(rows, after, week=week)
    above = avoidable_overflow_l(rows, after)
    floor, deposited = over[FLOOR], dep[FLOOR]
    days_off = ", ".join(WEEKDAY_NAMES[d] for d in range(7) if d not in week.work_days) or "none"
    text = [
        f"Fixed k = 1 empties every bin on every working day, so no policy emptying a bin at"
        f" most once a day, on working days only, can be expected to do much better: its"
        f" overflow, {_l(floor)} ({100 * floor / deposited:.1f} % of the {_l(deposited)}"
        f" deposited), is the floor. Of it {_l(off[FLOOR])}"
        f" ({100 * off[FLOOR] / floor if floor else 0:.0f} %) overflows on days not worked"
        f" ({html.escape(days_off)}) and {_l(work[FLOOR])} on worked days (bins that fill"
        f" within a day, before their truck comes, or after a day off). Litres count on the day"
        f" they overflow."
    ]
    mine, rival = c.points.get("platform"), c.points.get("k-soonest")
    if mine and rival:
        p, k = mine.overflow_l, rival.overflow_l
        room = f" ({100 * max(k - floor, 0.0) / k:.1f} % of its overflow)" if k else ""
        text.append(
            f"At the operating points k-soonest ({html.escape(rival.param)}) overflows {_l(k)},"
            f" {_l(k - floor, True)} above the floor, and the platform"
            f" ({html.escape(mine.param)}) {_l(p)}, {_l(p - floor, True)}. The floor is"
            f" {100 * floor / k if k else 0:.0f} % of k-soonest's overflow, so the most any"
            f" policy could save against it without emptying bins twice a day or on days off is"
            f" {_l(max(k - floor, 0.0))}{room}; the platform's difference is {_l(p - k, True)}"
            f" ({_pct(100 * (p - k) / k if k else 0.0)}). The RESULT line's overflow figure"
            " takes the platform's least-overflow setting within k-soonest's km instead."
        )
    settings = list(dict.fromkeys([FLOOR, *((op.policy, op.param) for op in operating_points(c))]))
    body = []
    for s in settings:
        o = over[s]
        body.append(
            [
                html.escape(s[0]),
                html.escape(s[1]),
                _l(o),
                _l(off[s]),
                _l(work[s]),
                _l(above[s], True),
                _l(off[s] - off[FLOOR], True),
                _l(work[s] - work[FLOOR], True),
                f"{100 * floor / o:.0f} %" if o > 0 else "n/a",
            ]
        )
    paras = "".join(f"<p>{t}</p>" for t in text)
    return paras + table(HEAD, body)
