"""The study's headline: the platform against k-soonest and fixed at their operating points.

Totals are over the evaluated days, averaged over seeds (:mod:`simulations.loop.kpis`). The
overflow budget is the overflow of ``fixed`` with ``k = 1`` (every bin every working day) plus
``slack`` (1 %) of the deposited litter. A policy's *operating point* is its setting with the
fewest km among those within the budget. Then, for X in k-soonest and fixed,

* ``km_vs_X_pct = 100 * (platform km / X km - 1)`` at the two operating points;
* ``overflow_vs_X_pct``: among the platform's settings driving no more km than X's operating
  point, the one with the least overflow, ``100 * (its overflow - X's) / max(X's, floor x
  deposited)`` with ``floor`` 0.1 %.

A figure that cannot be formed (no setting within the budget, or none driving so little) is NaN.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from simulations.loop.kpis.deposited import deposited_l
from simulations.loop.kpis.distance import km
from simulations.loop.kpis.overflow import overflow_l
from simulations.loop.kpis.totals import Setting
from simulations.loop.results import DayRow

REFERENCE: Setting = ("fixed", "1")
PLATFORM = "platform"
RIVALS = (("ksoonest", "k-soonest"), ("fixed", "fixed"))  # (label in the RESULT line, policy)


@dataclass(frozen=True, slots=True)
class Point:
    """A policy setting's totals."""

    policy: str
    param: str
    km: float
    overflow_l: float


@dataclass(frozen=True)
class Comparison:
    deposited_l: float
    budget_l: float  # overflow allowed at an operating point
    points: Mapping[str, Point | None]  # operating point per policy
    figures: Mapping[str, float]  # km_vs_ksoonest_pct, overflow_vs_ksoonest_pct, ...


def operating_point(points: Iterable[Point], budget_l: float) -> Point | None:
    """The setting with the fewest km among those whose overflow is within ``budget_l``."""
    ok = [p for p in points if p.overflow_l <= budget_l]
    return min(ok, key=lambda p: (p.km, p.overflow_l)) if ok else None


def compare(
    results: Iterable[DayRow], after: int, slack: float = 0.01, floor: float = 0.001
) -> Comparison:
    """The headline figures of ``results`` (which must include fixed ``k = 1``)."""
    rows = list(results)
    dist, over, dep = km(rows, after), overflow_l(rows, after), deposited_l(rows, after)
    if REFERENCE not in over:
        raise ValueError("the study needs fixed with k = 1 as its overflow reference.")
    deposited = dep[REFERENCE]
    budget = over[REFERENCE] + slack * deposited
    by_policy: dict[str, list[Point]] = {}
    for (policy, param), k in dist.items():
        by_policy.setdefault(policy, []).append(Point(policy, param, k, over[(policy, param)]))
    ops = {p: operating_point(pts, budget) for p, pts in by_policy.items()}
    figures: dict[str, float] = {}
    mine = ops.get(PLATFORM)
    for label, rival in RIVALS:
        theirs = ops.get(rival)
        figures[f"km_vs_{label}_pct"] = (
            100.0 * (mine.km / theirs.km - 1.0) if mine and theirs and theirs.km > 0 else math.nan
        )
        cheaper = [p for p in by_policy.get(PLATFORM, []) if theirs and p.km <= theirs.km]
        if theirs and cheaper:
            best = min(cheaper, key=lambda p: (p.overflow_l, p.km))
            scale = max(theirs.overflow_l, floor * deposited)
            figures[f"overflow_vs_{label}_pct"] = (
                100.0 * (best.overflow_l - theirs.overflow_l) / scale
            )
        else:
            figures[f"overflow_vs_{label}_pct"] = math.nan
    return Comparison(deposited, budget, ops, figures)


def result_line(c: Comparison, seeds: int, weeks: int) -> str:
    """``RESULT km_vs_ksoonest_pct=... overflow_vs_ksoonest_pct=... ... seeds=S weeks=W``."""
    order = (
        "km_vs_ksoonest_pct",
        "overflow_vs_ksoonest_pct",
        "km_vs_fixed_pct",
        "overflow_vs_fixed_pct",
    )
    parts = [f"{k}={c.figures[k]:.1f}" for k in order]
    return "RESULT " + " ".join([*parts, f"seeds={seeds}", f"weeks={weeks}"])
