"""Whole maps for the three user kinds, composed from the base map and layers (pure).

Each map centres on what it shows; with nothing to show, on ``city_centre`` (lon, lat: the city
profile's ``map_centre``).
"""

from __future__ import annotations

from collections.abc import Sequence

import folium

from maps.base import base_map
from maps.layers import bins_layer, parking_layer, routes_layer, vehicles_layer
from maps.views import BinView, ParkingView, RouteView, VehicleView


def _centre(
    points: Sequence[tuple[float, float]], city_centre: tuple[float, float]
) -> tuple[float, float]:
    if not points:
        return city_centre
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))


def operations_map(
    bins: Sequence[BinView],
    routes: Sequence[RouteView],
    vehicles: Sequence[VehicleView],
    static_prefix: str,
    tile_url: str = "",
    streets_url: str = "",
    *,
    city_centre: tuple[float, float],
) -> folium.Map:
    """The planner's live view: bins by fill and forecast, today's routes, vehicle positions."""
    centre = _centre([(b.lon, b.lat) for b in bins], city_centre)
    m = base_map(static_prefix, tile_url, streets_url, center=centre, zoom=13)
    bins_layer(bins).add_to(m)
    routes_layer(routes).add_to(m)
    vehicles_layer(vehicles).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    return m


def route_map(
    route: RouteView,
    static_prefix: str,
    tile_url: str = "",
    streets_url: str = "",
    *,
    city_centre: tuple[float, float],
) -> folium.Map:
    """One vehicle's route with numbered stops, for the driver's page."""
    centre = _centre([(s.lon, s.lat) for s in route.stops], city_centre)
    m = base_map(static_prefix, tile_url, streets_url, center=centre, zoom=14)
    routes_layer([route]).add_to(m)
    return m


def parking_map(
    sites: Sequence[ParkingView],
    at: tuple[float, float] | None,
    static_prefix: str,
    tile_url: str = "",
    streets_url: str = "",
    labels: dict[str, str] | None = None,
    *,
    city_centre: tuple[float, float],
) -> folium.Map:
    """Parking likelihood per site around the asked place (lon, lat)."""
    centre = at or _centre([(s.lon, s.lat) for s in sites], city_centre)
    m = base_map(static_prefix, tile_url, streets_url, center=centre, zoom=15)
    parking_layer(sites, labels=labels).add_to(m)
    if at is not None:
        folium.CircleMarker(
            [at[1], at[0]],
            radius=4,
            color="#000000",
            fill=True,
            fill_color="#000000",
            class_name="query-point",
        ).add_to(m)
    return m
