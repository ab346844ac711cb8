"""File adapter: a city profile directory (``profile.json`` + a districts layer) as a
:class:`~core.city.CityProfile`.

Built-in profiles live in ``core/cities/<name>/``; a profile can also be any directory with the
same files. Relative OSM paths are resolved against the data directory; the districts layer
(``"districts"``, default ``districts.geojson``) against the profile directory. The layer may be
any format GDAL reads (GeoJSON, GeoPackage, shapefile) in any CRS: it is reprojected to WGS84,
so a city's official district layer can replace the file as it is. Its district names are in the
property ``"district_name_property"`` (default ``name``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from core.city import CityProfile
from core.districts import Districts
from core.domain import BoundingBox, VehicleKind

BUILTIN_DIR = Path(__file__).resolve().parent / "cities"
WGS84 = "EPSG:4326"


class CityProfileError(ValueError):
    """A city profile directory is missing or malformed."""


def profile_dir(city: str) -> Path:
    """The directory of a built-in profile by name, or ``city`` itself if it is a directory."""
    builtin = BUILTIN_DIR / city
    if city and builtin.is_dir():
        return builtin
    path = Path(city)
    if city and path.is_dir():
        return path
    known = sorted(p.name for p in BUILTIN_DIR.iterdir() if p.is_dir())
    raise CityProfileError(f"no city profile {city!r}: give one of {known} or a profile directory.")


def load_profile(city: str, data_dir: Path) -> CityProfile:
    """Read and validate a city profile (a built-in name or a directory)."""
    d = profile_dir(city)
    path = d / "profile.json"
    if not path.is_file():
        raise CityProfileError(f"city profile {d}: missing file profile.json.")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as e:
        raise CityProfileError(f"city profile {path}: not valid JSON ({e}).") from e
    if not isinstance(raw, dict):
        raise CityProfileError(f"city profile {path}: expected a JSON object.")
    districts = read_districts(
        d / str(raw.get("districts", "districts.geojson")),
        str(raw.get("district_name_property", "name")),
    )
    try:
        return CityProfile(
            name=str(raw["name"]),
            timezone=str(raw["timezone"]),
            bbox=_bbox(raw["bbox"]),
            osm_files=tuple(Path(data_dir) / p for p in raw["osm_files"]),
            map_centre=(float(raw["map_centre"][0]), float(raw["map_centre"][1])),
            co2_g_per_km={VehicleKind(k): float(v) for k, v in raw["co2_g_per_km"].items()},
            districts=districts,
        )
    except KeyError as e:
        raise CityProfileError(f"city profile {path}: missing key {e}.") from e
    except (TypeError, ValueError, IndexError) as e:
        raise CityProfileError(f"city profile {path}: {e}") from e


def _bbox(box: Any) -> BoundingBox:
    return BoundingBox(
        float(box["min_lon"]), float(box["min_lat"]), float(box["max_lon"]), float(box["max_lat"])
    )


def read_districts(path: Path, name_property: str = "name") -> Districts:
    """A district layer, reprojected to WGS84; ``source`` from its top-level note if GeoJSON."""
    import geopandas as gpd

    if not path.is_file():
        raise CityProfileError(f"missing districts file {path}.")
    try:
        frame = gpd.read_file(path)
    except Exception as e:  # pyogrio raises its own DataSourceError / DataLayerError
        raise CityProfileError(f"districts file {path}: not readable ({e}).") from e
    if name_property not in frame.columns:
        raise CityProfileError(
            f"districts file {path}: no property {name_property!r} (has {list(frame.columns)})."
        )
    if frame.crs is not None and not frame.crs.equals(WGS84):
        frame = frame.to_crs(WGS84)
    try:
        return Districts(
            tuple(str(n) if n is not None else "" for n in frame[name_property]),
            tuple(frame.geometry),
            _layer_source(path),
        )
    except ValueError as e:
        raise CityProfileError(f"districts file {path}: {e}") from e


def _layer_source(path: Path) -> str:
    """The ``source`` (else ``note``) member of a GeoJSON FeatureCollection, else the file name."""
    if path.suffix.lower() in (".geojson", ".json"):
        try:
            top = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            top = {}
        if isinstance(top, dict):
            return str(top.get("source") or top.get("note") or path.name)
    return path.name
