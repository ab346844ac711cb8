"""Litres of litter put into the bins (the same for every policy: common random numbers)."""

from __future__ import annotations

from collections.abc import Iterable

from simulations.loop.kpis.totals import Setting, seed_mean_total
from simulations.loop.results import DayRow


def deposited_l(results: Iterable[DayRow], after: int = 0) -> dict[Setting, float]:
    """Deposited volume over the evaluated days (mean over seeds), per (policy, setting)."""
    return seed_mean_total(results, "deposited_l", after)
