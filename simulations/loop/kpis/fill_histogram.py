"""The distribution of fill at emptying: the share of emptyings in each fill class."""

from __future__ import annotations

from collections.abc import Iterable

from simulations.loop.fill_rows import CLASSES, FillRow
from simulations.loop.kpis.fill_counts import FillClass, class_counts
from simulations.loop.kpis.totals import Setting


def fill_histogram(
    results: Iterable[FillRow], after: int = 0
) -> dict[Setting, dict[FillClass, float]]:
    """Per (policy, setting): each fill class's share (0-1) of the evaluated days' emptyings,
    per seed, then the mean over seeds; every class is listed, in order."""
    out = {}
    for s, per_seed in class_counts(results, after).items():
        hist = dict.fromkeys(CLASSES, 0.0)
        for counts in per_seed.values():
            total = sum(counts.values())
            for c, n in counts.items():
                hist[c] += n / total / len(per_seed)
        out[s] = hist
    return out
