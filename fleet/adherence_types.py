"""Types of route adherence (:mod:`fleet.adherence`): its parameters, the drivers' reports it
checks, and its results as frozen rows that serialise to JSON. Pure."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from core.plan import Line


class Outcome(StrEnum):
    """What became of one bin on one truck's day."""

    SERVED = "served"  # planned and served
    MISSED = "missed"  # planned, not served by the shift end
    UNPLANNED = "unplanned"  # served, not on this truck's route


class ReportStatus(StrEnum):
    """A driver's report on a bin stop (``plan_stops.status`` once reported)."""

    EMPTIED = "emptied"
    SKIPPED = "skipped"


class Disagreement(StrEnum):
    """Where a driver's report and the GPS disagree."""

    EMPTIED_NOT_SERVED = "reported_emptied_not_served"
    SERVED_BUT_SKIPPED = "served_reported_skipped"
    SERVED_NOT_REPORTED = "served_not_reported"


@dataclass(frozen=True, slots=True)
class AdherenceParams:
    """Thresholds of service matching and route adherence; validated at construction."""

    match_radius_m: float = 30.0  # a dwell this close to a bin serves it
    min_dwell_s: float = 20.0  # shorter standstills are no service
    stop_speed_kmh: float = 3.0  # slower fixes are still
    corridor_m: float = 50.0  # half-width of the corridor around the planned path
    shift_end: datetime | None = None  # fixes after it are ignored; None: the whole trace
    max_gap_s: float = 600.0  # a longer silence breaks a dwell and is not driven distance
    max_speed_kmh: float = 130.0  # jumps implying more are multipath outliers

    def __post_init__(self) -> None:
        for name in ("match_radius_m", "min_dwell_s", "stop_speed_kmh", "corridor_m", "max_gap_s"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a positive number, got {value!r}.")
        if not self.max_speed_kmh > self.stop_speed_kmh:
            raise ValueError("max_speed_kmh must exceed stop_speed_kmh.")
        if self.shift_end is not None and self.shift_end.utcoffset() is None:
            raise ValueError("shift_end must be timezone-aware.")

    @property
    def cutoff_s(self) -> float:
        """The shift end as UTC epoch seconds (infinity when not set)."""
        return math.inf if self.shift_end is None else self.shift_end.timestamp()

    def to_json(self) -> dict[str, Any]:
        return _row(self)

    @staticmethod
    def from_json(obj: Mapping[str, Any]) -> AdherenceParams:
        """The parameters :meth:`to_json` wrote (keys it does not know are refused)."""
        raw = dict(obj)
        if isinstance(raw.get("shift_end"), str):
            raw["shift_end"] = datetime.fromisoformat(raw["shift_end"])
        return AdherenceParams(**raw)


@dataclass(frozen=True, slots=True)
class DriverReport:
    """What a driver reported on a bin; ``vehicle_id`` None: whichever route has the bin."""

    bin_id: str
    status: ReportStatus
    reported_at: datetime | None = None
    vehicle_id: str | None = None

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "status", ReportStatus(self.status))
        except ValueError as e:
            msg = f"report on {self.bin_id}: status must be emptied or skipped, not {self.status!r}"
            raise ValueError(msg) from e


@dataclass(frozen=True, slots=True)
class BinVisit:
    """One bin on one truck's day: a row of the adherence table."""

    vehicle_id: str
    bin_id: str
    outcome: Outcome
    lon: float
    lat: float
    planned_seq: int | None = None  # the stop's ``seq`` in the route; None when unplanned
    planned_eta: datetime | None = None
    served_at: datetime | None = None  # start of the dwell that served it
    dwell_s: float | None = None
    distance_m: float | None = None  # from the dwell's place to the bin
    in_sequence: bool | None = None  # None unless served as planned
    reported: ReportStatus | None = None
    disagreement: Disagreement | None = None
    planned_for: str | None = None  # unplanned: the truck whose route has the bin, if any

    def to_json(self) -> dict[str, Any]:
        return _row(self)


@dataclass(frozen=True, slots=True)
class AdherenceTotals:
    """Counts of a truck's (or a plan's) bin visits and its kilometres."""

    planned: int = 0
    served: int = 0
    missed: int = 0
    out_of_sequence: int = 0
    unplanned: int = 0
    disagreements: int = 0
    driven_km: float = 0.0
    off_route_km: float = 0.0

    @staticmethod
    def of(visits: Sequence[BinVisit], driven_km: float, off_route_km: float) -> AdherenceTotals:
        n = {o: sum(v.outcome is o for v in visits) for o in Outcome}
        return AdherenceTotals(
            planned=n[Outcome.SERVED] + n[Outcome.MISSED],
            served=n[Outcome.SERVED],
            missed=n[Outcome.MISSED],
            out_of_sequence=sum(v.in_sequence is False for v in visits),
            unplanned=n[Outcome.UNPLANNED],
            disagreements=sum(v.disagreement is not None for v in visits),
            driven_km=driven_km,
            off_route_km=off_route_km,
        )

    def __add__(self, other: AdherenceTotals) -> AdherenceTotals:
        return AdherenceTotals(
            *(getattr(self, f.name) + getattr(other, f.name) for f in fields(self))
        )

    def to_json(self) -> dict[str, Any]:
        return _row(self)


@dataclass(frozen=True, slots=True)
class TruckAdherence:
    """One truck's day against its route."""

    vehicle_id: str
    fixes: int  # fixes used: by the shift end, outliers dropped
    visits: tuple[BinVisit, ...]  # the route's bins in planned order, then unplanned by time
    totals: AdherenceTotals
    off_route_lines: tuple[Line, ...]  # where it drove off-route, (lon, lat) polylines

    @property
    def missed_bins(self) -> tuple[str, ...]:
        return tuple(v.bin_id for v in self.visits if v.outcome is Outcome.MISSED)

    @property
    def out_of_sequence_bins(self) -> tuple[str, ...]:
        return tuple(v.bin_id for v in self.visits if v.in_sequence is False)

    def to_json(self) -> dict[str, Any]:
        return {
            "vehicle_id": self.vehicle_id,
            "fixes": self.fixes,
            "totals": self.totals.to_json(),
            "visits": [v.to_json() for v in self.visits],
            "off_route_lines": [[list(p) for p in line] for line in self.off_route_lines],
        }


@dataclass(frozen=True)
class PlanAdherence:
    """A plan's day against the GPS: per truck, totals, and the bins nobody served."""

    plan_id: int | None
    plan_date: date | None
    params: AdherenceParams
    trucks: tuple[TruckAdherence, ...]
    # sums over the trucks: a bin another truck emptied is missed on its own route (and in these
    # totals) and unplanned on the other's; not_visited leaves such bins out
    totals: AdherenceTotals
    not_visited: tuple[BinVisit, ...]  # missed and served by no other truck, by planned ETA

    def visits(self) -> Iterator[BinVisit]:
        """Every truck's bin visits: the rows of the adherence table."""
        for t in self.trucks:
            yield from t.visits

    def to_json(self) -> dict[str, Any]:
        return {
            "plan_id": self.plan_id,
            "plan_date": None if self.plan_date is None else self.plan_date.isoformat(),
            "params": self.params.to_json(),
            "totals": self.totals.to_json(),
            "trucks": [t.to_json() for t in self.trucks],
            "not_visited": [v.bin_id for v in self.not_visited],
        }


@dataclass(frozen=True, slots=True)
class AdherenceRun:
    """When a plan's stored adherence was computed, by whom, and up to when GPS was read."""

    plan_id: int
    computed_at: datetime
    gps_until: datetime  # the shift end, or the time of computing during the day
    computed_by: str


def _row(obj: Any) -> dict[str, Any]:
    """A dataclass as a JSON-ready dict: ISO 8601 times, enum values."""
    out: dict[str, Any] = {}
    for f in fields(obj):
        v = getattr(obj, f.name)
        if isinstance(v, datetime | date):
            v = v.isoformat()
        elif isinstance(v, StrEnum):
            v = v.value
        out[f.name] = v
    return out
