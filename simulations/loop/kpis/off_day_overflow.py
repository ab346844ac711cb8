"""Overflow on the days the trucks do not work (Sundays in a Mon-Sat week).

Litres are counted on the calendar day they overflow: a bin that overflows on Monday morning
before its truck comes counts on Monday, a worked day.
"""

from __future__ import annotations

from collections.abc import Iterable

from simulations.loop.kpis.totals import Setting, seed_mean_total
from simulations.loop.kpis.workweek import WorkWeek
from simulations.loop.results import DayRow


def off_day_overflow_l(
    results: Iterable[DayRow], after: int = 0, *, week: WorkWeek
) -> dict[Setting, float]:
    """Overflow on evaluated days not worked (mean over seeds), per (policy, setting)."""
    return seed_mean_total(results, "overflow_l", after, keep=week.off)
