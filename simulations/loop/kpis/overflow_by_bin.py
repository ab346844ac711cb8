"""Where overflow happens: each bin's overflow at one setting.

Its rows (``overflow_bins.csv``) are already totals over the evaluated days, so it takes no
``after``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from simulations.loop.bin_rows import BinOverflowRow
from simulations.loop.kpis.totals import Setting


def overflow_by_bin(results: Iterable[BinOverflowRow], setting: Setting) -> dict[str, float]:
    """Litres each bin overflowed at ``setting`` (mean over seeds), by bin id."""
    per_bin: dict[str, dict[int, float]] = defaultdict(dict)
    for r in results:
        if (r.policy, r.param) == setting:
            per_bin[r.bin_id][r.seed] = r.overflow_l
    seeds = {seed for v in per_bin.values() for seed in v}
    return {b: sum(v.values()) / len(seeds) for b, v in per_bin.items()}
