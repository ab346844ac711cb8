"""Emptyings per fill class over the evaluated days, per seed (helper of the fill measures)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from simulations.loop.fill_rows import FillRow
from simulations.loop.kpis.totals import Setting

FillClass = tuple[float, float]  # (fill_from, fill_to)


def class_counts(
    results: Iterable[FillRow], after: int
) -> dict[Setting, dict[int, dict[FillClass, int]]]:
    """Per setting and seed, the emptyings on days ``>= after`` in each fill class."""
    out: dict[Setting, dict[int, dict[FillClass, int]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(int))
    )
    for r in results:
        if r.day >= after:
            out[(r.policy, r.param)][r.seed][(r.fill_from, r.fill_to)] += r.emptyings
    return {s: {seed: dict(c) for seed, c in v.items()} for s, v in out.items()}
