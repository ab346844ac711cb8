"""The street network as a light GeoJSON background layer, from local OpenStreetMap data (pure).

Used when no tile server is configured: the maps then need nothing beyond the application.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from routing.network.ways import OsmData

MAJOR = frozenset(
    {
        "motorway",
        "trunk",
        "primary",
        "secondary",
        "motorway_link",
        "trunk_link",
        "primary_link",
        "secondary_link",
    }
)


def street_geojson(parts: Sequence[OsmData], decimals: int = 5) -> dict[str, Any]:
    """One MultiLineString feature per road class (``major`` / ``minor``), ways deduplicated."""
    lines: dict[str, list[list[list[float]]]] = {"major": [], "minor": []}
    seen: set[int] = set()
    for part in parts:
        order = np.argsort(part.node_ids)
        ids_sorted = part.node_ids[order]
        for way in part.ways:
            if way.way_id in seen or len(way.node_ids) < 2:
                continue
            ids = np.asarray(way.node_ids)
            pos = np.searchsorted(ids_sorted, ids)
            pos = np.clip(pos, 0, len(ids_sorted) - 1)
            known = ids_sorted[pos] == ids
            if known.sum() < 2:
                continue
            rows = order[pos[known]]
            coords = np.round(np.stack([part.lon[rows], part.lat[rows]], axis=1), decimals)
            seen.add(way.way_id)
            lines["major" if way.highway in MAJOR else "minor"].append(coords.tolist())
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"class": cls},
                "geometry": {"type": "MultiLineString", "coordinates": coords},
            }
            for cls, coords in lines.items()
            if coords
        ],
    }


def street_style(feature_class: str) -> dict[str, Any]:
    """Leaflet path style for a road class: light grey, major roads a little wider."""
    return {
        "color": "#b0b0b0" if feature_class == "major" else "#d0d0d0",
        "weight": 3 if feature_class == "major" else 1.5,
        "opacity": 0.9,
    }
