"""A day's collection plan as the platform stores and serves it: routes per truck, their stops,
totals. Pure domain types shared by routing (which makes plans), the database layer (which
stores them) and the API (which shows them to planners and drivers)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from enum import StrEnum
from typing import Any

Line = tuple[tuple[float, float], ...]  # a road polyline as (lon, lat) points (GeoJSON order)


class StopKind(StrEnum):
    """What a truck does at a stop (``plan_stops.kind``)."""

    BIN = "bin"
    DISPOSAL = "disposal"
    DEPOT = "depot"


@dataclass(frozen=True, slots=True)
class Stop:
    """One stop of a truck's route; ``seq`` 0 is the depot departure, the last the return."""

    seq: int
    kind: StopKind
    bin_id: str | None
    site_id: str | None
    street: str
    lon: float
    lat: float
    eta: datetime  # arrival (service starts at once: bins have no time windows)
    departs: datetime
    load_after_l: float
    load_after_kg: float


@dataclass(frozen=True, slots=True)
class VehicleRoute:
    """One truck's day."""

    vehicle_id: str
    depot_id: str
    stops: tuple[Stop, ...]
    distance_m: float
    drive_s: float
    service_s: float  # emptying bins and unloading
    co2_kg: float
    break_start: datetime | None = None
    # the driven road polyline as (lon, lat) from the first stop to the last, None if not known
    geometry: Line | None = None

    @property
    def km(self) -> float:
        return self.distance_m / 1000.0

    @property
    def start(self) -> datetime:
        return self.stops[0].departs

    @property
    def end(self) -> datetime:
        return self.stops[-1].eta

    @property
    def duration_s(self) -> float:
        return (self.end - self.start).total_seconds()

    @property
    def bin_ids(self) -> tuple[str, ...]:
        return tuple(s.bin_id for s in self.stops if s.bin_id is not None)

    @property
    def disposal_trips(self) -> int:
        return sum(s.kind is StopKind.DISPOSAL for s in self.stops)


@dataclass(frozen=True, slots=True)
class PlanTotals:
    """Plan-wide figures (``plans.totals``)."""

    km: float
    drive_s: float
    service_s: float
    bins_emptied: int
    overflows_avoided: int  # bins predicted to overflow before the next opportunity, visited
    overflows_remaining: int  # ... and not visited
    co2_kg: float
    vehicles_used: int
    disposal_trips: int

    def to_json(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @staticmethod
    def from_json(obj: Mapping[str, Any]) -> PlanTotals:
        return PlanTotals(**{f.name: obj[f.name] for f in fields(PlanTotals)})


@dataclass(frozen=True)
class DayPlan:
    """A checked (or rejected) plan for one day: routes per truck, totals, how it was made.

    ``status`` is ``accepted`` when :func:`routing.vrp.checker.check` found no violation, else
    ``rejected`` with the violation messages. ``inputs`` holds what reproduces the plan (JSON).
    """

    plan_date: date
    engine: str
    objective: int
    routes: tuple[VehicleRoute, ...]
    totals: PlanTotals
    inputs: Mapping[str, Any] = field(default_factory=dict)
    status: str = "accepted"
    violations: tuple[str, ...] = ()
    time_limit_s: float = 0.0
    plan_id: int | None = None  # set once stored
    created_at: datetime | None = None

    def route_of(self, vehicle_id: str) -> VehicleRoute:
        """The route of ``vehicle_id``; KeyError when the truck has none in this plan."""
        for r in self.routes:
            if r.vehicle_id == vehicle_id:
                return r
        raise KeyError(vehicle_id)
