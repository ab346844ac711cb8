"""Proof-of-service payloads: what to compute, a plan's stored result, its not-visited bins.

Service times (``served_at``, ``dwell_s``) and off-route lines are derived from drivers'
positions: planner-only, and every read of them is access-logged.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from fleet.adherence_types import Disagreement, Outcome, ReportStatus

_THRESHOLDS = (
    "match_radius_m",
    "min_dwell_s",
    "stop_speed_kmh",
    "corridor_m",
    "max_gap_s",
    "max_speed_kmh",
)


class AdherenceCreate(BaseModel):
    """Compute a plan's proof of service now; thresholds left out keep their defaults."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{}, {"match_radius_m": 25, "min_dwell_s": 30, "corridor_m": 60}]
        },
    )

    match_radius_m: float | None = Field(
        None, gt=0, le=500, description="a dwell this close to a bin serves it (default 30)"
    )
    min_dwell_s: float | None = Field(
        None, gt=0, le=3600, description="shorter standstills are no service (default 20)"
    )
    stop_speed_kmh: float | None = Field(
        None, gt=0, le=30, description="slower fixes are standing still (default 3)"
    )
    corridor_m: float | None = Field(
        None, gt=0, le=2000, description="half-width of the planned path's corridor (default 50)"
    )
    max_gap_s: float | None = Field(
        None, gt=0, le=86_400, description="a longer GPS silence breaks a dwell (default 600)"
    )
    max_speed_kmh: float | None = Field(
        None, gt=0, le=400, description="jumps implying more are GPS outliers (default 130)"
    )
    shift_end: datetime | None = Field(
        None, description="fixes after it are ignored (without an offset: the city's local time)"
    )
    now: datetime | None = Field(
        None,
        description="read GPS up to this time (default: now; without an offset: local time)",
    )

    def thresholds(self) -> dict[str, float]:
        """The thresholds given, by name."""
        return {n: v for n in _THRESHOLDS if (v := getattr(self, n)) is not None}


class AdherenceTotalsPublic(BaseModel):
    """Counts of bin visits and kilometres, of a truck or a plan."""

    planned: int
    served: int
    missed: int
    out_of_sequence: int
    unplanned: int
    disagreements: int = Field(description="where drivers' reports and the GPS disagree")
    driven_km: float
    off_route_km: float


class AdherenceSummaryPublic(BaseModel):
    """A plan's stored proof of service: when, up to when, with what thresholds, totals."""

    plan_id: int
    plan_date: date | None
    computed_at: datetime
    gps_until: datetime = Field(description="GPS was read up to here (the shift end or now)")
    computed_by: str
    params: dict[str, Any]
    totals: AdherenceTotalsPublic
    vehicles: int = Field(description="trucks with a route in the plan")
    not_visited: int = Field(description="planned bins no truck served by gps_until")


class TruckAdherencePublic(BaseModel):
    """One truck's day against its route."""

    vehicle_id: str
    fixes: int = Field(description="GPS fixes used")
    totals: AdherenceTotalsPublic
    off_route_lines: list[list[tuple[float, float]]] = Field(
        description="where it drove off its route, [lon, lat] polylines (personal data)"
    )


class BinVisitPublic(BaseModel):
    """One bin on one truck's day."""

    vehicle_id: str
    bin_id: str
    outcome: Outcome
    lon: float
    lat: float
    planned_seq: int | None = None
    planned_eta: datetime | None = None
    served_at: datetime | None = Field(None, description="start of the serving dwell (personal)")
    dwell_s: float | None = None
    distance_m: float | None = None
    in_sequence: bool | None = None
    reported: ReportStatus | None = None
    disagreement: Disagreement | None = None
    planned_for: str | None = Field(None, description="unplanned: the truck whose route has it")


class AdherencePublic(AdherenceSummaryPublic):
    """The summary with every truck's totals and every bin visit."""

    trucks: list[TruckAdherencePublic]
    visits: list[BinVisitPublic]


class NotVisitedBinPublic(BaseModel):
    """A planned bin no truck served by the result's GPS end."""

    bin_id: str
    vehicle_id: str = Field(description="the truck whose route has it")
    planned_seq: int | None
    planned_eta: datetime | None
    lon: float
    lat: float
    reported: ReportStatus | None = Field(None, description="what the driver reported, if any")
    overdue: bool = Field(description="its planned ETA had passed by gps_until")


class NotVisitedPublic(BaseModel):
    """The planned bins not visited by the end of the shift (or by gps_until during the day)."""

    plan_id: int
    plan_date: date
    computed_at: datetime
    gps_until: datetime
    bins: list[NotVisitedBinPublic]
