"""The one interface every collection policy implements, and what it is given each working day.

A policy sees the public inventory (bins, trucks, sites), the calendar and the platform
(:class:`~simulations.loop.knowledge.Platform`: arrived readings and driver reports, forecasts),
never the simulator's ground truth. It answers with the day's routes, normally by handing a
:class:`~routing.planning.selection.Selection` to ``ctx.solve`` (the project's planning code,
seeded, with the run's iteration budget).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

import numpy as np

from core.domain import Bin, Vehicle
from forecasting.forecast import FillForecast
from routing.planning.selection import Selection
from simulations.loop.planner import RoutePlan


class PlatformView(Protocol):
    """What a policy may ask the platform."""

    def forecasts(self, now_h: float) -> Mapping[str, FillForecast]: ...

    @property
    def last_emptied_h(self) -> np.ndarray:
        """Sim hour of each bin's last reported emptying (NaN: none yet), inventory order."""
        ...


@dataclass(frozen=True, eq=False)
class DayContext:
    """A working day as the planner sees it at ``now_h`` (sim hours), before the shifts."""

    day: int  # calendar day index from the start
    work_index: int  # how many working days came before this one
    plan_date: date
    now_h: float
    tz: str
    bins: tuple[Bin, ...]
    trucks: tuple[Vehicle, ...]
    service_at: datetime  # the middle of today's shifts
    next_service_at: datetime  # the middle of the next working day's shifts
    days_per_work_day: float  # calendar days per working day (7 / working days a week)
    mean_daily_fill: float  # the calibration's mean fill rate, fraction of a bin per day
    solve: Callable[[Selection], RoutePlan]

    @property
    def capacity_l(self) -> np.ndarray:
        return np.array([b.capacity_l for b in self.bins], dtype=np.float64)


class Strategy(Protocol):
    """A collection policy: its name, its setting as text, and the day's routes."""

    name: str
    param: str

    def plan(self, ctx: DayContext, platform: PlatformView) -> RoutePlan: ...


def selection_of(
    bins: Sequence[Bin],
    required: Sequence[int],
    demand_l: np.ndarray,
    optional: Mapping[int, float] | None = None,
) -> Selection:
    """A selection from inventory positions: required ones, optional ones with prize (litres)."""
    opt = optional or {}
    ids = [bins[i].bin_id for i in required]
    prizes = {bins[i].bin_id: float(p) for i, p in opt.items()}
    chosen = [*required, *opt]
    demand = {bins[i].bin_id: float(demand_l[i]) for i in chosen}
    return Selection(required=tuple(ids), optional=prizes, reasons={}, demand_l=demand)
