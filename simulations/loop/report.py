"""The study's report: one self-contained HTML page drawn from the study's CSV files alone.

Pure: returns the page as text (figures are PNGs embedded as data URIs:
:mod:`~simulations.loop.report_figures`; tables: :mod:`~simulations.loop.report_tables` and
:mod:`~simulations.loop.report_floor`). Regenerate it from the CSVs at any time. ``daily.csv`` is
required; the fill histogram, the overflow map, the split by day type and proof of service need
``fill_at_emptying.csv``, ``bins.csv`` with ``overflow_bins.csv``, the calendar of ``run.json``,
``km_legs.csv`` (:mod:`~simulations.loop.report_km`) and ``adherence.csv``
(:mod:`~simulations.loop.report_adherence`): without them the page says what is missing instead.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from simulations.loop.adherence_rows import AdherenceRow
from simulations.loop.bin_rows import BinOverflowRow, BinPlace
from simulations.loop.fill_rows import FillRow
from simulations.loop.km_rows import KmRow
from simulations.loop.kpis.comparison import Comparison
from simulations.loop.kpis.workweek import WorkWeek
from simulations.loop.report_adherence import adherence_section
from simulations.loop.report_figures import (
    daily_figure,
    fill_histogram_figure,
    overflow_map_figure,
    overflow_split_figure,
    tradeoff_figure,
)
from simulations.loop.report_floor import floor_section
from simulations.loop.report_km import km_section
from simulations.loop.report_tables import (
    anchors_table,
    fill_table,
    operating_table,
    totals_table,
)
from simulations.loop.results import DayRow

STYLE = (
    "body{font-family:sans-serif;max-width:64em;margin:auto;line-height:1.4}"
    "table{border-collapse:collapse;margin:0.5em 0}td,th{border:1px solid #ccc;padding:2px 6px;"
    "text-align:right}td:first-child,th:first-child{text-align:left}"
    ".ci{color:#555;font-size:90%}.note{background:#fff4d6;padding:4px 8px}"
    "img{max-width:100%}"
)


@dataclass(frozen=True)
class Extras:
    """The study's optional outputs (None: the file is missing from the output directory)."""

    fills: Sequence[FillRow] | None = None
    bin_overflow: Sequence[BinOverflowRow] | None = None
    places: Sequence[BinPlace] | None = None
    week: WorkWeek | None = None
    adherence: Sequence[AdherenceRow] | None = None
    km_legs: Sequence[KmRow] | None = None


def _img(title: str, src: str) -> str:
    t = html.escape(title)
    return f"<img alt='{t}' title='{t}' src='{src}'>"


def _note(text: str) -> str:
    return f"<p class='note'>{html.escape(text)}</p>"


def _fill_section(c: Comparison, after: int, fills: Sequence[FillRow] | None) -> str:
    if fills is None:
        return _note(
            "fill_at_emptying.csv is missing (written by studies run since it was added):"
            " re-run the study to draw the histogram of fill at emptying."
        )
    return (
        "<p>Share of emptyings per 5 % fill class over the evaluated days, at each policy's"
        " operating point; the hatched bar counts bins found full (they had overflowed).</p>"
        + _img("Histogram of fill at emptying", fill_histogram_figure(fills, c, after))
        + fill_table(fills, after)
    )


def _map_section(c: Comparison, extras: Extras) -> str:
    if extras.bin_overflow is None or extras.places is None:
        return _note(
            "bins.csv or overflow_bins.csv is missing (written by studies run since they were"
            " added): re-run the study to draw the map of where overflow happens."
        )
    return (
        "<p>Each bin at its place (lon/lat), sized and coloured by the litres it overflowed over"
        " the evaluated days (mean over seeds) at each operating point; grey: no overflow.</p>"
        + _img("Map of overflow", overflow_map_figure(extras.bin_overflow, extras.places, c))
    )


def _why_section(rows: Sequence[DayRow], c: Comparison, after: int, week: WorkWeek | None) -> str:
    if week is None:
        return _note("run.json has no start date or work days: the split by day type is n/a.")
    return floor_section(rows, c, after, week) + _img(
        "Overflow by day type", overflow_split_figure(rows, c, after, week)
    )


def report_html(
    rows: Sequence[DayRow],
    c: Comparison,
    after: int,
    result: str,
    extras: Extras | None = None,
) -> str:
    """The whole page."""
    ex = extras or Extras()
    ops = ", ".join(
        f"{p}: {op.param}" if op else f"{p}: none within budget"
        for p, op in sorted(c.points.items())
    )
    seeds = len({r.seed for r in rows})
    sections = [
        (
            "Published anchors beside our figures",
            "<p>The published studies differ from ours in city, bins and policies; the figures"
            " are for orientation, not replication.</p>" + anchors_table(rows, c, after, ex.fills),
        ),
        (
            "Operating points",
            f"<p>Totals over the evaluated days, mean over {seeds} seed(s) ± the half-width of"
            " the 95 % t-interval across seeds (n/a with one seed); hours are summed over trucks"
            " (drive_h at the wheel, route_h depot to depot).</p>"
            + operating_table(rows, c, after),
        ),
        ("Km against overflow", _img("Km against overflow", tradeoff_figure(rows, c, after))),
        ("Why the overflow advantage is small", _why_section(rows, c, after, ex.week)),
        ("Where the km go", km_section(ex.km_legs, c, after)),
        ("Fill at emptying", _fill_section(c, after, ex.fills)),
        ("Where overflow happens", _map_section(c, ex)),
        (
            "Overflow per day",
            _img("Overflow per day", daily_figure(rows, c, "overflow_l", "overflow (l)", after)),
        ),
        ("Km per day", _img("Km per day", daily_figure(rows, c, "km", "km", after))),
        ("Totals per setting", totals_table(rows, after)),
        ("Proof of service", adherence_section(ex.adherence, after)),
    ]
    body = "".join(f"<h2>{html.escape(t)}</h2>{s}" for t, s in sections)
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>What-if study</title>"
        f"<style>{STYLE}</style></head><body><h1>What-if study</h1>"
        f"<p><code>{html.escape(result)}</code></p>"
        f"<p>Days before day {after} are warm-up and left out. Deposited litter (evaluated days):"
        f" {c.deposited_l:,.0f} l; overflow budget {c.budget_l:,.0f} l (fixed k = 1 plus 1 % of"
        f" the deposits). Operating points (fewest km within the budget): {html.escape(ops)}.</p>"
        f"{body}</body></html>\n"
    )
