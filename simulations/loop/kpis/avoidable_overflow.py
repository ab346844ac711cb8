"""Overflow above the floor no once-a-day policy can get under.

The floor is the overflow of ``fixed`` with ``k = 1``: every bin emptied every working day.
What a policy overflows beyond it is *avoidable* by collecting more; what is below it needs
more than one visit a day, or work on the days off. A policy may come out slightly under the
floor (it reached some bins earlier in the day), so the figure can be negative.
"""

from __future__ import annotations

from collections.abc import Iterable

from simulations.loop.kpis.overflow import overflow_l
from simulations.loop.kpis.totals import Setting
from simulations.loop.results import DayRow

FLOOR: Setting = ("fixed", "1")


def avoidable_overflow_l(results: Iterable[DayRow], after: int = 0) -> dict[Setting, float]:
    """Overflow minus the floor's (means over seeds), per (policy, setting); needs fixed k = 1."""
    over = overflow_l(results, after)
    if FLOOR not in over:
        raise ValueError("avoidable overflow needs fixed with k = 1 (the floor) in the results.")
    return {s: v - over[FLOOR] for s, v in over.items()}
