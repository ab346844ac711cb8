"""Kilometres per bin emptied: the distance a collection costs."""

from __future__ import annotations

import math
from collections.abc import Iterable

from simulations.loop.kpis.totals import Setting, seed_totals
from simulations.loop.results import DayRow


def km_per_collection(results: Iterable[DayRow], after: int = 0) -> dict[Setting, float]:
    """Km over emptyings on the evaluated days per seed, then the mean over seeds (NaN when a
    seed emptied nothing)."""
    rows = list(results)
    km, n = seed_totals(rows, "km", after), seed_totals(rows, "collections", after)
    out = {}
    for s, per_seed in km.items():
        ratios = [k / n[s][seed] if n[s][seed] > 0 else math.nan for seed, k in per_seed.items()]
        out[s] = sum(ratios) / len(ratios)
    return out
