"""File adapter: a city profile directory (``profile.json`` + ``districts.geojson``) as a
:class:`~core.city.CityProfile`.

Built-in profiles live in ``core/cities/<name>/``; a profile can also be any directory with the
same files. Relative OSM paths are resolved against the data directory.
"""

from __future__ import annotations

import json
from pathlib import Path

from core.city import CityProfile
from core.domain import BoundingBox, VehicleKind

BUILTIN_DIR = Path(__file__).resolve().parent / "cities"


class CityProfileError(ValueError):
    """A city profile directory is missing or malformed."""


def profile_dir(city: str) -> Path:
    """The directory of a built-in profile by name, or ``city`` itself if it is a directory."""
    builtin = BUILTIN_DIR / city
    if builtin.is_dir():
        return builtin
    path = Path(city)
    if path.is_dir():
        return path
    known = sorted(p.name for p in BUILTIN_DIR.iterdir() if p.is_dir())
    raise CityProfileError(f"no city profile {city!r}: give one of {known} or a profile directory.")


def load_profile(city: str, data_dir: Path) -> CityProfile:
    """Read and validate a city profile."""
    d = profile_dir(city)
    try:
        raw = json.loads((d / "profile.json").read_text(encoding="utf-8"))
        box = raw["bbox"]
        return CityProfile(
            name=str(raw["name"]),
            timezone=str(raw["timezone"]),
            bbox=BoundingBox(
                float(box["min_lon"]),
                float(box["min_lat"]),
                float(box["max_lon"]),
                float(box["max_lat"]),
            ),
            osm_files=tuple(data_dir / p for p in raw.get("osm_files", [])),
            map_centre=(float(raw["map_centre"][0]), float(raw["map_centre"][1])),
            co2_g_per_km={VehicleKind(k): float(v) for k, v in raw.get("co2_g_per_km", {}).items()},
        )
    except (OSError, KeyError, TypeError, ValueError, IndexError) as e:
        raise CityProfileError(f"city profile {d}: {e}") from e
