"""Overflow on the days the trucks work."""

from __future__ import annotations

from collections.abc import Iterable

from simulations.loop.kpis.totals import Setting, seed_mean_total
from simulations.loop.kpis.workweek import WorkWeek
from simulations.loop.results import DayRow


def work_day_overflow_l(
    results: Iterable[DayRow], after: int = 0, *, week: WorkWeek
) -> dict[Setting, float]:
    """Overflow on evaluated working days (mean over seeds), per (policy, setting)."""
    return seed_mean_total(results, "overflow_l", after, keep=week.worked)
