"""Per (policy, setting): a column summed over the evaluated days, averaged over seeds."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from simulations.loop.results import DayRow

Setting = tuple[str, str]  # (policy, param)


def seed_mean_total(results: Iterable[DayRow], column: str, after: int) -> dict[Setting, float]:
    """Sum of ``column`` over days ``>= after`` per seed, then the mean over seeds."""
    per_seed: dict[Setting, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for r in results:
        if r.day >= after:
            per_seed[(r.policy, r.param)][r.seed] += float(getattr(r, column))
    return {k: sum(v.values()) / len(v) for k, v in per_seed.items()}
