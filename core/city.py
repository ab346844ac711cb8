"""The city profile: a city's geography and defaults (pure).

A profile is *what the city is*: its name, time zone, bounding box, OpenStreetMap extracts,
operations districts (polygons), default CO2 factors per vehicle kind and the map centre. What a
city *owns and changes* (depots, disposal sites, bins, vehicles, parking sites) is inventory and
lives in the database, imported from files. Profiles are data (``core/cities/<name>/``), loaded
by :mod:`core.city_files` through the settings object; nothing else names a city.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from core.districts import Districts
from core.domain import BoundingBox, VehicleKind


@dataclass(frozen=True)
class CityProfile:
    """A city's geography and defaults. Validated at construction; messages name the city."""

    name: str
    timezone: str  # IANA name: local hours of shifts, profiles and forecasts
    bbox: BoundingBox  # every accepted coordinate lies in it
    osm_files: tuple[Path, ...]  # Overpass JSON extracts, merged into one road network
    map_centre: tuple[float, float]  # lon, lat
    co2_g_per_km: Mapping[VehicleKind, float]  # default factor per vehicle kind
    districts: Districts = field(default_factory=Districts.none)

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("a city profile needs a name.")
        try:
            ZoneInfo(self.timezone)
        except Exception as e:  # ZoneInfoNotFoundError or ValueError for a malformed key
            raise ValueError(f"city {self.name}: unknown time zone {self.timezone!r}.") from e
        b = self.bbox
        if not (-180 <= b.min_lon < b.max_lon <= 180 and -90 <= b.min_lat < b.max_lat <= 90):
            raise ValueError(f"city {self.name}: bounding box {b} is empty or not lon/lat.")
        lon, lat = self.map_centre
        if not self.bbox.contains(lon, lat):
            raise ValueError(
                f"city {self.name}: map centre {self.map_centre} (lon, lat) is outside its"
                f" bounding box {b}."
            )
        missing = [k.value for k in VehicleKind if k not in self.co2_g_per_km]
        if missing:
            raise ValueError(f"city {self.name}: no default CO2 factor for {missing}.")
        if any(v < 0 for v in self.co2_g_per_km.values()):
            raise ValueError(f"city {self.name}: CO2 factors must be non-negative.")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
