"""Inventory domain types shared by every package: bins, vehicles, depots, parking sites.

Pure data; no I/O. Coordinates are WGS84 degrees (lon, lat), as in GeoJSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class VehicleKind(StrEnum):
    """What a municipal vehicle is for (FIWARE `Vehicle.serviceProvided` where one applies)."""

    WASTE_TRUCK = "garbageCollection"
    STREET_CLEANER = "streetCleaning"
    OTHER = "other"


class UnknownBin(LookupError):
    """A bin id that is not in the inventory."""


@dataclass(frozen=True, slots=True)
class Bin:
    """A street litter bin with a fill sensor (Copenhagen `affaldskurve_puma`)."""

    bin_id: str
    lon: float
    lat: float
    street: str
    district: str
    capacity_l: float = 110.0
    threshold: float = 0.8  # fillingLevel at which the bin counts as full
    service_s: float = 60.0  # time to empty it at the kerb

    def __post_init__(self) -> None:
        if self.capacity_l <= 0:
            raise ValueError(f"bin {self.bin_id}: capacity_l must be positive.")
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError(f"bin {self.bin_id}: threshold must be in (0, 1].")


@dataclass(frozen=True, slots=True)
class Site:
    """A fixed place vehicles start from or unload at (depot, disposal site)."""

    site_id: str
    name: str
    lon: float
    lat: float


@dataclass(frozen=True, slots=True)
class Vehicle:
    """A municipal vehicle; waste trucks carry capacity figures used by routing (0: no limit
    known in that dimension, e.g. no weight limit on file)."""

    vehicle_id: str
    kind: VehicleKind
    depot_id: str
    capacity_l: float = 0.0
    capacity_kg: float = 0.0
    shift_start_h: float = 6.0
    shift_end_h: float = 14.0
    co2_g_per_km: float = 1100.0

    def __post_init__(self) -> None:
        if self.shift_end_h <= self.shift_start_h:
            raise ValueError(f"vehicle {self.vehicle_id}: shift must end after it starts.")
        if self.capacity_l < 0 or self.capacity_kg < 0:
            raise ValueError(f"vehicle {self.vehicle_id}: capacities must be non-negative.")


@dataclass(frozen=True, slots=True)
class ParkingSite:
    """A street segment or zone (Copenhagen `p_pladser`) or an off-street car park."""

    site_id: str
    name: str
    kind: str  # "street" | "carpark"
    capacity: int
    lon: float
    lat: float
    street: str = ""
    district: str = ""

    def __post_init__(self) -> None:
        if self.capacity <= 0:
            raise ValueError(f"parking site {self.site_id}: capacity must be positive.")


@dataclass(frozen=True, slots=True)
class BoundingBox:
    """A lon/lat box; the city's box bounds every accepted coordinate."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    def contains(self, lon: float, lat: float) -> bool:
        return self.min_lon <= lon <= self.max_lon and self.min_lat <= lat <= self.max_lat
