"""File adapter: Overpass API JSON (OpenStreetMap) into plain node and way records.

Only this module reads OSM files; :mod:`routing.network.graph`
builds the graph from what it returns.
Data © OpenStreetMap contributors, ODbL.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from routing.network.ways import OsmData, OsmWay


class OsmFormatError(ValueError):
    """An Overpass file that is not the JSON shape we expect."""


def parse_overpass(obj: dict, digest: str = "") -> OsmData:
    """Nodes and ways from one decoded Overpass JSON document (ways without `highway` dropped)."""
    try:
        elements = obj["elements"]
    except (KeyError, TypeError) as e:
        raise OsmFormatError("Overpass JSON must be an object with an 'elements' list") from e
    ids: list[int] = []
    lons: list[float] = []
    lats: list[float] = []
    ways: list[OsmWay] = []
    for el in elements:
        kind = el.get("type")
        if kind == "node":
            ids.append(int(el["id"]))
            lons.append(float(el["lon"]))
            lats.append(float(el["lat"]))
        elif kind == "way":
            tags = el.get("tags") or {}
            highway = tags.get("highway")
            nodes = el.get("nodes") or []
            if not highway or len(nodes) < 2:
                continue
            ways.append(
                OsmWay(
                    way_id=int(el["id"]),
                    node_ids=tuple(int(n) for n in nodes),
                    highway=str(highway),
                    oneway=str(tags.get("oneway", "")),
                    maxspeed=str(tags.get("maxspeed", "")),
                    name=str(tags.get("name", "")),
                    junction=str(tags.get("junction", "")),
                )
            )
    return OsmData(
        node_ids=np.asarray(ids, dtype=np.int64),
        lon=np.asarray(lons, dtype=np.float64),
        lat=np.asarray(lats, dtype=np.float64),
        ways=tuple(ways),
        digest=digest,
    )


def load_overpass(path: Path | str) -> OsmData:
    """Read one Overpass JSON file."""
    raw = Path(path).read_bytes()
    try:
        obj = json.loads(raw)
    except ValueError as e:
        raise OsmFormatError(f"{path}: not valid JSON") from e
    return parse_overpass(obj, digest=hashlib.sha256(raw).hexdigest()[:16])


def load_osm(paths: Iterable[Path | str]) -> list[OsmData]:
    """Every Overpass file of a city (a profile's ``osm_files``), in order.

    Pass the list to :func:`routing.network.graph.build_network`, which joins them on shared
    node ids.
    """
    out = []
    for p in paths:
        if not Path(p).is_file():
            raise FileNotFoundError(f"OSM extract {p} not found (see the city profile's osm_files)")
        out.append(load_overpass(p))
    if not out:
        raise OsmFormatError("no OSM files given")
    return out
