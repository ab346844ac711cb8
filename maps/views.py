"""What the maps draw: small frozen view records built by the API from domain objects (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class BinView:
    """A bin with its latest fill level and forecast level at the end of the planning horizon."""

    bin_id: str
    lon: float
    lat: float
    street: str
    filling_level: float | None
    forecast_level: float | None = None
    threshold: float = 0.8
    predicted_full_at: datetime | None = None  # in the city's local time; None: not foreseen


@dataclass(frozen=True, slots=True)
class StopView:
    """One stop of a route, in visiting order."""

    seq: int
    bin_id: str
    lon: float
    lat: float
    status: str = "planned"  # planned | emptied | skipped


@dataclass(frozen=True, slots=True)
class RouteView:
    """One vehicle's route: its stops and the driven path as (lon, lat) points, if known."""

    vehicle_id: str
    stops: tuple[StopView, ...]
    path: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True, slots=True)
class VisitView:
    """A bin on a truck's day as proof of service found it (from the GPS)."""

    vehicle_id: str
    bin_id: str
    lon: float
    lat: float
    outcome: str  # served | missed | unplanned
    in_sequence: bool | None = None  # False: served out of the planned order
    served_at: str = ""  # local time of service, "" when not served

    @property
    def state(self) -> str:
        """``served``, ``missed``, ``unplanned``, or ``out_of_sequence`` (served, not in order)."""
        if self.outcome == "served" and self.in_sequence is False:
            return "out_of_sequence"
        return self.outcome


@dataclass(frozen=True, slots=True)
class AlertView:
    """A bin with alerts: what they are (``kinds``) and one line of text each, in the page's
    language (plain text: the map escapes it)."""

    bin_id: str
    street: str
    lon: float
    lat: float
    kinds: tuple[str, ...]
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class VehicleView:
    """A vehicle at its latest GPS position."""

    vehicle_id: str
    lon: float
    lat: float
    observed_at: str = ""
    speed_kmh: float = 0.0


@dataclass(frozen=True, slots=True)
class ParkingView:
    """A parking site with its probability of at least one free space at the asked time."""

    site_id: str
    name: str
    lon: float
    lat: float
    p_free: float
    expected_free: float
    walk_min: float | None = None
