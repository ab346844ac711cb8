"""The day problem's configuration and the built problem (pure types), re-exported by
:mod:`routing.planning.day_problem`, which builds the problem (with
:mod:`routing.planning.day_builder`) and reads solutions back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core.domain import Bin, Site, Vehicle
from routing.vrp.model import ProblemData

STREET_LITTER_KG_PER_L = 0.07


@dataclass(frozen=True, slots=True)
class DayConfig:
    """Tuning of the day's problem; validated at construction.

    ``tz`` is the city's time zone (its profile's): the problem clock starts at local midnight.
    """

    tz: str
    density_kg_per_l: float = STREET_LITTER_KG_PER_L
    unload_s: int = 900  # weighbridge, tipping and queue at the disposal site
    metres_per_litre: float = 20.0  # a predicted litre in an optional bin is worth 20 m of driving
    vehicle_fixed_m: int = 5_000  # using one more truck costs as much as 5 km of driving
    break_s: int = 0  # driver break length (0: none modelled)
    break_window_h: tuple[float, float] = (10.0, 12.0)  # local hours the break must start within

    def __post_init__(self) -> None:
        ZoneInfo(self.tz)
        if self.density_kg_per_l <= 0:
            raise ValueError("density_kg_per_l must be positive.")
        if self.unload_s < 0 or self.break_s < 0 or self.vehicle_fixed_m < 0:
            raise ValueError("unload_s, break_s and vehicle_fixed_m must be non-negative.")
        if self.metres_per_litre <= 0:
            raise ValueError("metres_per_litre must be positive.")
        if not 0 <= self.break_window_h[0] <= self.break_window_h[1] <= 24:
            raise ValueError("break_window_h must be (earliest, latest) local hours.")


@dataclass(frozen=True)
class DayProblem:
    """The routing problem for a day and what maps its locations back to the city."""

    data: ProblemData
    plan_date: date
    midnight: datetime  # local midnight of ``plan_date``; the problem clock's zero
    vehicle_ids: tuple[tuple[str, ...], ...]  # per vehicle type, the trucks of that type
    vehicles: Mapping[str, Vehicle]
    location_bin: Mapping[int, Bin]
    location_site: Mapping[int, Site]
    location_street: Mapping[int, str]
    location_point: tuple[int, ...]  # matrix point index per location (-1: a truck's position)
    depot_location: Mapping[str, int]
    config: DayConfig
    inputs: Mapping[str, Any]

    def time_at(self, clock_s: float) -> datetime:
        return self.midnight + timedelta(seconds=float(clock_s))


def local_midnight(day: date, tz: str) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(tz))
