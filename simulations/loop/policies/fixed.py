"""``fixed``: the schedule most cities run today, with no sensor in the loop.

The bins are split once into ``k`` geographically compact rounds of similar work (recursive
bisection along the wider axis, cut at equal total service time). Round ``j`` is emptied on
working days ``j, j + k, j + 2k, ...``; its route is optimised the first time it is due (every
bin required, each expected to hold the calibration's mean fill over ``k`` working days) and
then driven again on each turn. Bins left at shift end (the drivers' reports show they were not
emptied) wait for the round's next turn, where their truck starts with them: its route is
rotated to begin at the first leftover stop, as crews do. The execution counts leftovers.
``k = 1`` empties every bin every working day.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from core.domain import Bin
from simulations.loop.planner import RoutePlan, TruckRoute
from simulations.loop.policies.base import DayContext, PlatformView, selection_of

IntArray = npt.NDArray[np.int64]


def compact_rounds(bins: Sequence[Bin], k: int) -> list[IntArray]:
    """``k`` groups of inventory positions, compact in space and of similar service time."""
    if k <= 0:
        raise ValueError("k must be positive.")
    if k > len(bins):
        raise ValueError("k must not exceed the number of bins.")
    lat0 = float(np.mean([b.lat for b in bins]))
    x = np.array([b.lon for b in bins]) * np.cos(np.radians(lat0))
    y = np.array([b.lat for b in bins])
    weight = np.array([b.service_s for b in bins], dtype=np.float64)

    def split(idx: IntArray, parts: int) -> list[IntArray]:
        if parts == 1:
            return [np.sort(idx)]
        left = parts // 2
        axis = x if np.ptp(x[idx]) >= np.ptp(y[idx]) else y
        order = idx[np.lexsort((idx, axis[idx]))]
        cum = np.cumsum(weight[order])
        cut = int(np.searchsorted(cum, cum[-1] * left / parts)) + 1
        cut = min(max(cut, left), order.size - (parts - left))
        return split(order[:cut], left) + split(order[cut:], parts - left)

    return split(np.arange(len(bins), dtype=np.int64), k)


class FixedRounds:
    """Round ``work_index mod k`` every working day, each round's route optimised once."""

    name = "fixed"

    def __init__(self, k: int) -> None:
        if k <= 0:
            raise ValueError("fixed: k must be a positive integer.")
        self.k = k
        self.param = str(k)
        self._rounds: list[IntArray] | None = None
        self._plans: dict[int, RoutePlan] = {}
        self._last_turn: dict[int, float] = {}  # sim hour the round was last planned

    @classmethod
    def from_param(cls, param: str) -> FixedRounds:
        return cls(int(param))

    def round_of(self, work_index: int) -> int:
        return work_index % self.k

    def rounds(self, bins: Sequence[Bin]) -> list[IntArray]:
        if self._rounds is None:
            self._rounds = compact_rounds(bins, self.k)
        return self._rounds

    def plan(self, ctx: DayContext, platform: PlatformView) -> RoutePlan:
        j = self.round_of(ctx.work_index)
        last = self._last_turn.get(j)
        self._last_turn[j] = ctx.now_h
        if j in self._plans and last is not None:  # driven again: no new solve
            emptied = platform.last_emptied_h
            left = {
                ctx.bins[int(i)].bin_id
                for i in self.rounds(ctx.bins)[j]
                if not emptied[int(i)] >= last  # NaN (never emptied) counts as left
            }
            return RoutePlan(routes=tuple(leftovers_first(r, left) for r in self._plans[j].routes))
        members = self.rounds(ctx.bins)[j]
        days = self.k * ctx.days_per_work_day
        demand = ctx.capacity_l * min(1.0, ctx.mean_daily_fill * days)
        plan = ctx.solve(selection_of(ctx.bins, [int(i) for i in members], demand))
        self._plans[j] = plan
        return plan


def leftovers_first(route: TruckRoute, left: set[str]) -> TruckRoute:
    """``route`` rotated to start at its first stop in ``left`` (unchanged if none is)."""
    for i, stop in enumerate(route.stops):
        if stop in left:
            return TruckRoute(route.vehicle_id, route.stops[i:] + route.stops[:i])
    return route
