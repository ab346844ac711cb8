"""GeoJSON FeatureCollections of bins, routes and parking probabilities ([lon, lat]) (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from maps.views import BinView, ParkingView, RouteView


def _fc(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def _point(lon: float, lat: float, props: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": props,
    }


def bins_geojson(bins: Sequence[BinView]) -> dict[str, Any]:
    """Bins as points with ``fillingLevel`` (FIWARE WasteContainer), forecast level and
    predicted-full time (ISO 8601, local offset; null when not foreseen)."""
    return _fc(
        [
            _point(
                b.lon,
                b.lat,
                {
                    "id": b.bin_id,
                    "street": b.street,
                    "fillingLevel": b.filling_level,
                    "forecastFillingLevel": b.forecast_level,
                    "threshold": b.threshold,
                    "predictedFullAt": None
                    if b.predicted_full_at is None
                    else b.predicted_full_at.isoformat(),
                },
            )
            for b in bins
        ]
    )


def routes_geojson(routes: Sequence[RouteView]) -> dict[str, Any]:
    """Each route as a LineString (path or stop-to-stop) plus its stops as ordered points."""
    features: list[dict[str, Any]] = []
    for r in routes:
        line = r.path or tuple((s.lon, s.lat) for s in r.stops)
        if len(line) >= 2:
            features.append(
                {
                    "type": "Feature",
                    "properties": {"vehicleId": r.vehicle_id, "stops": len(r.stops)},
                    "geometry": {"type": "LineString", "coordinates": [list(p) for p in line]},
                }
            )
        features += [
            _point(
                s.lon,
                s.lat,
                {"vehicleId": r.vehicle_id, "seq": s.seq, "binId": s.bin_id, "status": s.status},
            )
            for s in r.stops
        ]
    return _fc(features)


def parking_geojson(sites: Sequence[ParkingView]) -> dict[str, Any]:
    """Parking sites with the probability of at least one free space and expected free spaces."""
    return _fc(
        [
            _point(
                s.lon,
                s.lat,
                {
                    "id": s.site_id,
                    "name": s.name,
                    "pFree": s.p_free,
                    "expectedFree": s.expected_free,
                    "walkMin": s.walk_min,
                },
            )
            for s in sites
        ]
    )
