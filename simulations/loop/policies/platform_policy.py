"""``platform``: forecast with uncertainty, then prize-collecting routes.

For every bin the platform's forecast gives the probability ``p`` that it overflows before the
next chance to empty it (the middle of the next working day's shifts) if it is skipped today
(:mod:`simulations.loop.risk`). Bins with ``p >= p_required`` (the swept setting) are required;
bins with ``p_offer <= p < p_required`` are optional with a prize of the litres expected to
overflow by then if skipped (each worth ``metres_per_litre`` of driving, see
:class:`~routing.planning.day_problem.DayConfig`), so the solver takes them when the detour
costs less than the overflow it is expected to prevent. Demands are the predicted litres at the
middle of today's shifts.
"""

from __future__ import annotations

import numpy as np

from simulations.loop.planner import RoutePlan
from simulations.loop.policies.base import DayContext, PlatformView, selection_of
from simulations.loop.risk import RiskModel, outlook


class PlatformPolicy:
    """Required above ``p_required`` overflow probability, prize-collecting below it."""

    name = "platform"

    def __init__(
        self,
        p_required: float,
        p_offer: float = 0.02,
        risk: RiskModel | None = None,
    ) -> None:
        if not 0.0 < p_required <= 1.0:
            raise ValueError("platform: p_required must be in (0, 1].")
        if not 0.0 < p_offer <= p_required:
            raise ValueError("platform: p_offer must be in (0, p_required].")
        self.p_required = p_required
        self.p_offer = p_offer
        self.param = f"{p_required:g}"
        self.risk = risk or RiskModel()

    @classmethod
    def from_param(cls, param: str) -> PlatformPolicy:
        return cls(float(param))

    def plan(self, ctx: DayContext, platform: PlatformView) -> RoutePlan:
        view = outlook(ctx.bins, platform.forecasts(ctx.now_h), self.risk)
        p, excess = view.overflow(ctx.next_service_at, ctx.tz, self.risk)
        cap = ctx.capacity_l
        demand = view.level_at(ctx.service_at, ctx.tz) * cap
        required = [int(i) for i in np.flatnonzero(p >= self.p_required)]
        offer = np.flatnonzero((p >= self.p_offer) & (p < self.p_required))
        optional = {int(i): max(float(excess[i] * cap[i]), 0.05) for i in offer}
        return ctx.solve(selection_of(ctx.bins, required, demand, optional))
