"""Share of emptyings with the bin under a fill level (Copenhagen: 40 % of fixed-schedule
emptyings were under 25 % full)."""

from __future__ import annotations

from collections.abc import Iterable

from simulations.loop.fill_rows import EDGES, FillRow
from simulations.loop.kpis.fill_counts import class_counts
from simulations.loop.kpis.totals import Setting


def share_below(
    results: Iterable[FillRow], after: int = 0, level: float = 0.25
) -> dict[Setting, float]:
    """Per (policy, setting): the share (0-1) of the evaluated days' emptyings found less than
    ``level`` full, per seed, then the mean over seeds; ``level`` must be a class edge."""
    if not any(abs(e - level) < 1e-9 for e in EDGES):
        raise ValueError(f"level must be a fill class edge (multiple of 0.05), not {level}.")
    out = {}
    for s, per_seed in class_counts(results, after).items():
        shares = []
        for counts in per_seed.values():
            low = sum(n for (_, hi), n in counts.items() if hi <= level + 1e-9)
            shares.append(low / sum(counts.values()))
        out[s] = sum(shares) / len(shares)
    return out
