"""Per (policy, setting): a column summed over the evaluated days, per seed or seed-averaged."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from simulations.loop.results import DayRow

Setting = tuple[str, str]  # (policy, param)


def seed_totals(
    results: Iterable[DayRow],
    column: str,
    after: int,
    keep: Callable[[int], bool] | None = None,
) -> dict[Setting, dict[int, float]]:
    """Sum of ``column`` over days ``>= after`` (and, given ``keep``, the days it keeps), per
    setting and seed."""
    per_seed: dict[Setting, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for r in results:
        if r.day >= after:
            cell = per_seed[(r.policy, r.param)]
            cell[r.seed] += float(getattr(r, column)) if keep is None or keep(r.day) else 0.0
    return {k: dict(v) for k, v in per_seed.items()}


def seed_mean_total(
    results: Iterable[DayRow],
    column: str,
    after: int,
    keep: Callable[[int], bool] | None = None,
) -> dict[Setting, float]:
    """Sum of ``column`` over days ``>= after`` (those ``keep`` keeps) per seed, then the mean
    over seeds."""
    return {
        k: sum(v.values()) / len(v) for k, v in seed_totals(results, column, after, keep).items()
    }
