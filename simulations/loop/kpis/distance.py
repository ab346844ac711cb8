"""Kilometres driven by the trucks."""

from __future__ import annotations

from collections.abc import Iterable

from simulations.loop.kpis.totals import Setting, seed_mean_total
from simulations.loop.results import DayRow


def km(results: Iterable[DayRow], after: int = 0) -> dict[Setting, float]:
    """Km driven over the evaluated days (mean over seeds), per (policy, setting)."""
    return seed_mean_total(results, "km", after)
