"""OpenStreetMap ways as routing sees them: parsed records and the rules for speed and direction.

Pure. :mod:`routing.network.osm` reads files into these records; :mod:`routing.network.graph`
builds the road graph from them. Data © OpenStreetMap contributors, ODbL.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# Free-flow speeds (km/h) by highway class when a way has no usable `maxspeed`; Copenhagen urban
# defaults (Danish general limit in built-up areas is 50, residential streets mostly 30-40).
DEFAULT_SPEED_KMH: dict[str, float] = {
    "motorway": 90.0,
    "motorway_link": 60.0,
    "trunk": 60.0,
    "trunk_link": 40.0,
    "primary": 50.0,
    "primary_link": 40.0,
    "secondary": 50.0,
    "secondary_link": 40.0,
    "tertiary": 40.0,
    "tertiary_link": 30.0,
    "unclassified": 30.0,
    "residential": 30.0,
    "living_street": 15.0,
    "service": 20.0,
    "road": 30.0,
}
# Zone values of `maxspeed` (km/h).
ZONE_SPEED_KMH: dict[str, float] = {
    "dk:urban": 50.0,
    "dk:rural": 80.0,
    "dk:motorway": 130.0,
    "walk": 7.0,
    "none": 130.0,
}
# Share of the posted/free-flow speed actually achieved in city traffic (junctions, lights).
DEFAULT_SPEED_FACTOR = 0.75
ONEWAY_FORWARD = {"yes", "true", "1"}
ONEWAY_BACKWARD = {"-1", "reverse"}
ONEWAY_NO = {"no", "false", "0"}


class NetworkError(ValueError):
    """The OSM input cannot make a usable road network."""


@dataclass(frozen=True, slots=True)
class OsmWay:
    """One OSM way with the tags routing needs."""

    way_id: int
    node_ids: tuple[int, ...]
    highway: str
    oneway: str = ""
    maxspeed: str = ""
    name: str = ""
    junction: str = ""


@dataclass(frozen=True)
class OsmData:
    """Parsed OSM: node ids with lon/lat arrays, the ways, and a digest of the source bytes."""

    node_ids: IntArray
    lon: FloatArray
    lat: FloatArray
    ways: tuple[OsmWay, ...]
    digest: str = ""


def parse_maxspeed(value: str) -> float | None:
    """km/h from an OSM `maxspeed` value ("50", "30 mph", "DK:urban"), or None if unusable."""
    v = value.strip().lower()
    if not v:
        return None
    if v in ZONE_SPEED_KMH:
        return ZONE_SPEED_KMH[v]
    m = re.match(r"^(\d+(?:\.\d+)?)\s*(mph|km/h|kmh)?$", v)
    if m is None:
        return None
    speed = float(m.group(1)) * (1.609344 if m.group(2) == "mph" else 1.0)
    return speed if speed > 0 else None


def way_speed_kmh(way: OsmWay) -> float | None:
    """Free-flow speed of a way, or None if its highway class is not drivable."""
    default = DEFAULT_SPEED_KMH.get(way.highway)
    if default is None:
        return None
    posted = parse_maxspeed(way.maxspeed)
    return posted if posted is not None else default


def way_directions(way: OsmWay) -> tuple[bool, bool]:
    """(forward, backward) travel allowed along the way's node order."""
    oneway = way.oneway.strip().lower()
    if oneway in ONEWAY_BACKWARD:
        return False, True
    if oneway in ONEWAY_FORWARD:
        return True, False
    if oneway in ONEWAY_NO:
        return True, True
    implied = way.junction in ("roundabout", "circular") or way.highway in ("motorway",)
    return True, not implied


def merge_osm(parts: Sequence[OsmData]) -> OsmData:
    """One dataset from several extracts; shared node ids kept once, ways de-duplicated by id."""
    if not parts:
        raise NetworkError("no OSM data given")
    ids = np.concatenate([p.node_ids for p in parts])
    lon = np.concatenate([p.lon for p in parts])
    lat = np.concatenate([p.lat for p in parts])
    uniq, first = np.unique(ids, return_index=True)
    seen: set[int] = set()
    ways: list[OsmWay] = []
    for p in parts:
        for w in p.ways:
            if w.way_id not in seen:
                seen.add(w.way_id)
                ways.append(w)
    digest = "+".join(p.digest for p in parts)
    return OsmData(uniq, lon[first], lat[first], tuple(ways), digest)
