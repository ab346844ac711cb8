"""Whole maps for the three user kinds, composed from the base map and layers (pure).

Each map centres on what it shows; with nothing to show, on ``city_centre`` (lon, lat: the city
profile's ``map_centre``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import folium

from maps.base import base_map
from maps.layers import (
    adherence_layer,
    alerts_layer,
    bins_layer,
    parking_layer,
    routes_layer,
    vehicles_layer,
)
from maps.views import AlertView, BinView, ParkingView, RouteView, VehicleView, VisitView

LAYER_NAMES = {
    "bins": "Bins",
    "routes": "Routes",
    "adherence": "Proof of service",
    "alerts": "Alerts",
    "vehicles": "Vehicles",
}


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
    visits: Sequence[VisitView] = (),
    off_route: Sequence[Sequence[tuple[float, float]]] = (),
    labels: Mapping[str, str] | None = None,
    alerts: Sequence[AlertView] = (),
) -> folium.Map:
    """The planner's live view: bins by fill and forecast with their predicted-full time, today's
    routes, the plan's proof of service when there is one (``visits``, ``off_route`` lines), the
    bins with alerts, vehicle positions. ``labels`` names the layers (``bins``, ``routes``,
    ``adherence``, ``alerts``, ``vehicles``), the proof of service's states and the bins'
    tooltip words (:data:`maps.layers.BIN_LABELS`), in the page's language (default English)."""
    t = {**LAYER_NAMES, **(labels or {})}
    centre = _centre([(b.lon, b.lat) for b in bins], city_centre)
    m = base_map(static_prefix, tile_url, streets_url, center=centre, zoom=13)
    bins_layer(bins, t["bins"], t).add_to(m)
    routes_layer(routes, t["routes"]).add_to(m)
    if visits or off_route:
        adherence_layer(visits, off_route, t["adherence"], t).add_to(m)
    if alerts:
        alerts_layer(alerts, t["alerts"]).add_to(m)
    vehicles_layer(vehicles, t["vehicles"]).add_to(m)
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
