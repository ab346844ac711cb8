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

from core.domain import BoundingBox, VehicleKind


@dataclass(frozen=True)
class CityProfile:
    """A city's geography and defaults. Validated at construction."""

    name: str
    timezone: str
    bbox: BoundingBox
    osm_files: tuple[Path, ...]
    map_centre: tuple[float, float]  # lon, lat
    co2_g_per_km: Mapping[VehicleKind, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("a city profile needs a name.")
        try:
            ZoneInfo(self.timezone)
        except Exception as e:  # ZoneInfoNotFoundError or ValueError for a malformed key
            raise ValueError(f"city {self.name}: unknown time zone {self.timezone!r}.") from e
        lon, lat = self.map_centre
        if not self.bbox.contains(lon, lat):
            raise ValueError(f"city {self.name}: map centre {self.map_centre} is outside its box.")
        if any(v < 0 for v in self.co2_g_per_km.values()):
            raise ValueError(f"city {self.name}: CO2 factors must be non-negative.")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
