"""Map layers from view records: bins by fill, routes with stop order, vehicles, parking (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import folium

from maps.colours import STATUS_COLOURS, fill_colour, probability_colour, route_colour
from maps.views import BinView, ParkingView, RouteView, VehicleView


def _pct(x: float | None) -> str:
    return "?" if x is None else f"{x:.0%}"


def bins_layer(bins: Sequence[BinView], name: str = "Bins") -> folium.FeatureGroup:
    """One circle per bin, filled by its current level and outlined by its forecast level."""
    group = folium.FeatureGroup(name=name)
    for b in bins:
        folium.CircleMarker(
            location=[b.lat, b.lon],
            radius=5,
            weight=2,
            color=fill_colour(
                b.forecast_level if b.forecast_level is not None else b.filling_level, b.threshold
            ),
            fill=True,
            fill_opacity=0.9,
            fill_color=fill_colour(b.filling_level, b.threshold),
            tooltip=escape(
                f"{b.bin_id} {b.street}: {_pct(b.filling_level)} now, "
                f"{_pct(b.forecast_level)} forecast"
            ),
            class_name=f"bin bin-{b.bin_id}",
        ).add_to(group)
    return group


def routes_layer(routes: Sequence[RouteView], name: str = "Routes") -> folium.FeatureGroup:
    """Each route as a coloured line (its driven path, else straight between stops) with
    numbered stops coloured by status."""
    group = folium.FeatureGroup(name=name)
    for i, r in enumerate(routes):
        colour = route_colour(i)
        line = r.path or tuple((s.lon, s.lat) for s in r.stops)
        if len(line) >= 2:
            folium.PolyLine(
                [[lat, lon] for lon, lat in line],
                color=colour,
                weight=4,
                opacity=0.8,
                tooltip=escape(r.vehicle_id),
                class_name=f"route route-{r.vehicle_id}",
            ).add_to(group)
        for s in r.stops:
            folium.CircleMarker(
                location=[s.lat, s.lon],
                radius=7,
                weight=2,
                color=colour,
                fill=True,
                fill_opacity=1.0,
                fill_color=STATUS_COLOURS.get(s.status, colour),
                tooltip=escape(f"{r.vehicle_id} #{s.seq} {s.bin_id} ({s.status})"),
                class_name=f"stop stop-{s.status}",
            ).add_to(group)
    return group


def vehicles_layer(vehicles: Sequence[VehicleView], name: str = "Vehicles") -> folium.FeatureGroup:
    """Vehicles at their latest positions as black-outlined squares-ish circles."""
    group = folium.FeatureGroup(name=name)
    for v in vehicles:
        folium.CircleMarker(
            location=[v.lat, v.lon],
            radius=9,
            weight=3,
            color="#000000",
            fill=True,
            fill_color="#ffeb3b",
            fill_opacity=1.0,
            tooltip=escape(f"{v.vehicle_id} {v.observed_at} {v.speed_kmh:.0f} km/h"),
            class_name="vehicle",
        ).add_to(group)
    return group


def parking_layer(
    sites: Sequence[ParkingView], name: str = "Parking", labels: dict[str, str] | None = None
) -> folium.FeatureGroup:
    """Parking sites coloured by the probability of a free space."""
    t = labels or {"p_free": "P(free)", "expected_free": "expected free", "walk": "min walk"}
    group = folium.FeatureGroup(name=name)
    for s in sites:
        walk = "" if s.walk_min is None else f", {s.walk_min:.0f} {t['walk']}"
        folium.CircleMarker(
            location=[s.lat, s.lon],
            radius=8,
            weight=1,
            color="#333333",
            fill=True,
            fill_color=probability_colour(s.p_free),
            fill_opacity=0.85,
            tooltip=escape(
                f"{s.name}: {t['p_free']} {s.p_free:.0%}, "
                f"{t['expected_free']} {s.expected_free:.0f}{walk}"
            ),
            class_name="parking",
        ).add_to(group)
    return group
