"""A total's spread across seeds: the mean and its 95 % t-interval.

Each seed's total over the evaluated days is one observation; with ``n`` seeds the interval is
``mean +- t(0.975, n - 1) * sd / sqrt(n)``. With one seed there is none (NaN bounds).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from scipy.stats import t as student_t

from simulations.loop.kpis.totals import Setting, seed_totals
from simulations.loop.results import DayRow


@dataclass(frozen=True, slots=True)
class Interval:
    """Mean over ``n`` seeds and the interval's bounds (NaN when ``n < 2``)."""

    mean: float
    low: float
    high: float
    n: int

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2


def t_interval(values: Iterable[float], level: float = 0.95) -> Interval:
    """The mean of ``values`` and its ``level`` t-interval."""
    xs = list(values)
    if not xs:
        raise ValueError("a t-interval needs at least one value.")
    mean = statistics.fmean(xs)
    if len(xs) < 2:
        return Interval(mean, math.nan, math.nan, len(xs))
    half = float(student_t.ppf(0.5 + level / 2, len(xs) - 1)) * statistics.stdev(xs)
    half /= math.sqrt(len(xs))
    return Interval(mean, mean - half, mean + half, len(xs))


def seed_interval(
    results: Iterable[DayRow], column: str, after: int = 0, level: float = 0.95
) -> dict[Setting, Interval]:
    """Per (policy, setting): ``column`` summed over the evaluated days per seed, its mean over
    seeds and the ``level`` t-interval."""
    return {
        s: t_interval(per_seed.values(), level)
        for s, per_seed in seed_totals(results, column, after).items()
    }
