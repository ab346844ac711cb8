"""Litres that did not fit in their bin."""

from __future__ import annotations

from collections.abc import Iterable

from simulations.loop.kpis.totals import Setting, seed_mean_total
from simulations.loop.results import DayRow


def overflow_l(results: Iterable[DayRow], after: int = 0) -> dict[Setting, float]:
    """Overflow volume over the evaluated days (mean over seeds), per (policy, setting)."""
    return seed_mean_total(results, "overflow_l", after)
