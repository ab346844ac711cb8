"""The report's proof-of-service table: per setting, what the live adherence code
(:func:`fleet.adherence.plan_adherence`) found in the loop's GPS and drivers' reports over the
evaluated days, beside the ground truth.

Pure: rows in, HTML text out; ``adherence.csv`` missing gives a note instead.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from simulations.loop.adherence_rows import AdherenceRow
from simulations.loop.report_figures import num
from simulations.loop.report_tables import pct, table

COUNTS = ("planned", "served", "missed", "out_of_sequence", "unplanned", "disagreements")
HEAD = (
    "policy",
    "param",
    "planned bins",
    "served",
    "missed",
    "out of sequence",
    "unplanned",
    "report disagreements",
    "off-route km",
    "proof wrong",
)


def adherence_table(rows: Sequence[AdherenceRow], after: int) -> str:
    """Per setting, totals over the evaluated days (mean over seeds) and shares of planned."""
    sums: dict[tuple[str, str], dict[str, float]] = {}
    seeds: dict[tuple[str, str], set[int]] = {}
    for r in rows:
        if r.day < after:
            continue
        s = (r.policy, r.param)
        seeds.setdefault(s, set()).add(r.seed)
        acc = sums.setdefault(s, dict.fromkeys((*COUNTS, "off_route_km", "misjudged"), 0.0))
        for k in acc:
            acc[k] += float(getattr(r, k))
    body = []
    for s in sorted(sums, key=lambda s: (s[0], num(s[1]), s[1])):
        n, acc = len(seeds[s]), sums[s]
        planned = acc["planned"]

        def share(k: str, acc: dict[str, float] = acc, planned: float = planned) -> str:
            return pct(100 * acc[k] / planned, signed=False) if planned else "n/a"

        body.append(
            [
                html.escape(s[0]),
                html.escape(s[1]),
                f"{planned / n:,.0f}",
                share("served"),
                f"{acc['missed'] / n:,.1f}",
                f"{acc['out_of_sequence'] / n:,.1f}",
                f"{acc['unplanned'] / n:,.1f}",
                share("disagreements"),
                f"{acc['off_route_km'] / n:,.1f}",
                share("misjudged"),
            ]
        )
    return table(HEAD, body)


def adherence_section(rows: Sequence[AdherenceRow] | None, after: int) -> str:
    """Text and table, or a note when ``adherence.csv`` is missing."""
    if rows is None:
        return (
            "<p class='note'>adherence.csv is missing (written by studies run with proof of"
            " service since it was added): re-run the study to see how the live system's proof"
            " of service fares in the loop.</p>"
        )
    return (
        "<p>Each working day the platform proves the plan's service with the live code from"
        " the trucks' simulated GPS and the drivers' reports (some missing or wrong). Counts"
        " are totals over the evaluated days, mean over seeds; shares are of the planned bins."
        " <em>Proof wrong</em>: planned bins the GPS called served that were not emptied, or"
        " emptied ones it missed (the simulator's ground truth).</p>" + adherence_table(rows, after)
    )
