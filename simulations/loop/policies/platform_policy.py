"""``platform``: forecast with uncertainty, then prize-collecting routes.

For every bin the platform's forecast gives the probability ``p`` that it overflows before the
next chance to empty it (the middle of the next working day's shifts) if it is skipped today
(:mod:`simulations.loop.risk`). Bins with ``p >= p_required`` (the swept setting) are required;
bins with ``p_offer <= p < p_required`` are optional with a prize of the litres expected to
overflow by then if skipped (each worth ``metres_per_litre`` of driving, see
:class:`~routing.planning.day_problem.DayConfig`), so the solver takes them when the detour
costs less than the overflow it is expected to prevent; ``prize_scale`` multiplies those
prizes (the swept prize scale: below 1 the solver takes fewer optional bins). Demands are the
predicted litres at the middle of today's shifts.

The setting as text is ``p_required``, or ``p_required x prize_scale`` written ``"0.9x0.5"``.
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
        prize_scale: float = 1.0,
    ) -> None:
        if not 0.0 < p_required <= 1.0:
            raise ValueError("platform: p_required must be in (0, 1].")
        if not 0.0 < p_offer <= p_required:
            raise ValueError("platform: p_offer must be in (0, p_required].")
        if not prize_scale > 0:
            raise ValueError("platform: prize_scale must be positive.")
        self.p_required = p_required
        self.p_offer = p_offer
        self.prize_scale = prize_scale
        self.param = f"{p_required:g}" if prize_scale == 1.0 else f"{p_required:g}x{prize_scale:g}"
        self.risk = risk or RiskModel()

    @classmethod
    def from_param(cls, param: str) -> PlatformPolicy:
        """``"0.9"`` or ``"0.9x0.5"`` (required probability, prize scale)."""
        p, _, scale = param.partition("x")
        try:
            return cls(float(p), prize_scale=float(scale) if scale else 1.0)
        except ValueError as e:
            raise ValueError(f"platform: bad setting {param!r} ({e}).") from e

    def plan(self, ctx: DayContext, platform: PlatformView) -> RoutePlan:
        view = outlook(ctx.bins, platform.forecasts(ctx.now_h), self.risk)
        p, excess = view.overflow(ctx.next_service_at, ctx.tz, self.risk)
        cap = ctx.capacity_l
        demand = view.level_at(ctx.service_at, ctx.tz) * cap
        required = [int(i) for i in np.flatnonzero(p >= self.p_required)]
        offer = np.flatnonzero((p >= self.p_offer) & (p < self.p_required))
        scale = self.prize_scale
        optional = {int(i): max(float(excess[i] * cap[i]) * scale, 0.05) for i in offer}
        return ctx.solve(selection_of(ctx.bins, required, demand, optional))
