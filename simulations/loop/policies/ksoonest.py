"""``k-soonest``: each working day, empty the ``k`` bins expected to be full soonest.

A common first use of fill sensors: rank bins by the forecast time they reach their threshold
(bins already past it first, fullest first) and send the trucks to the first ``k``, all
required. Demands are the predicted litres at the middle of the shift.
"""

from __future__ import annotations

import math

import numpy as np

from simulations.loop.planner import RoutePlan
from simulations.loop.policies.base import DayContext, PlatformView, selection_of
from simulations.loop.risk import RiskModel, outlook


class KSoonest:
    """The ``k`` bins with the earliest forecast threshold crossing, every working day."""

    name = "k-soonest"

    def __init__(self, k: int, risk: RiskModel | None = None) -> None:
        if k <= 0:
            raise ValueError("k-soonest: k must be a positive integer.")
        self.k = k
        self.param = str(k)
        self.risk = risk or RiskModel()

    @classmethod
    def from_param(cls, param: str) -> KSoonest:
        return cls(int(param))

    def plan(self, ctx: DayContext, platform: PlatformView) -> RoutePlan:
        forecasts = platform.forecasts(ctx.now_h)
        keys = []
        for i, b in enumerate(ctx.bins):
            f = forecasts.get(b.bin_id)
            when = math.inf if f is None or f.full_at is None else f.full_at.timestamp()
            level = 0.0 if f is None or f.level_now is None else f.level_now
            keys.append((when, -level, i))
        chosen = [i for _, _, i in sorted(keys)[: self.k]]
        view = outlook(ctx.bins, forecasts, self.risk)
        demand = view.level_at(ctx.service_at, ctx.tz) * ctx.capacity_l
        return ctx.solve(selection_of(ctx.bins, chosen, np.asarray(demand)))
