"""Driver hours: time at the wheel (``drive_h``) and from leaving the depot to coming back
(``route_h``: driving, emptying, unloading)."""

from __future__ import annotations

from collections.abc import Iterable

from simulations.loop.kpis.totals import Setting, seed_mean_total
from simulations.loop.results import DayRow


def drive_h(results: Iterable[DayRow], after: int = 0) -> dict[Setting, float]:
    """Hours driven over the evaluated days, all trucks (mean over seeds), per setting."""
    return seed_mean_total(results, "drive_h", after)


def route_h(results: Iterable[DayRow], after: int = 0) -> dict[Setting, float]:
    """Route hours (depot to depot) over the evaluated days (mean over seeds), per setting."""
    return seed_mean_total(results, "route_h", after)
