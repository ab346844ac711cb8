"""Map layers from view records: bins by fill, routes with stop order, proof of service, bin
alerts, vehicles, parking (pure).

Every text a layer shows goes through :func:`safe_text`: folium puts tooltips inside a
JavaScript template literal, so HTML escaping alone would let a backtick or ``${`` in a bin id
or an OpenStreetMap street name (user-contributed) run as script."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from html import escape

import folium

from maps.colours import (
    ALERT_COLOUR,
    BIN_STATUS_RADIUS,
    OFF_ROUTE_COLOUR,
    PARKING_STATUS_RADIUS,
    STATUS_COLOURS,
    STOP_STATUS_STYLE,
    fill_colour,
    fill_status,
    probability_colour,
    probability_status,
    route_colour,
    visit_colour,
)
from maps.views import AlertView, BinView, ParkingView, RouteView, VehicleView, VisitView

VISIT_SYMBOLS = {"served": "✓", "missed": "✗", "out_of_sequence": "✓", "unplanned": "+"}
VISIT_LABELS = {
    "served": "served",
    "missed": "missed",
    "out_of_sequence": "out of sequence",
    "unplanned": "not planned",
    "off_route": "off route",
}


BIN_LABELS = {
    "bin_low": "below half full",
    "bin_filling": "filling",
    "bin_full": "full",
    "bin_unknown": "no reading",
    "bin_now": "now",
    "bin_forecast": "forecast",
    "bin_full_at": "predicted full",
    "bin_not_full": "not within the forecast horizon",
    "bin_no_forecast": "no forecast",
    "alerts": "Alerts",
}
ALERT_SYMBOL = "⚠"
_JS_TEMPLATE = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;"})


def safe_text(text: str) -> str:
    """``text`` safe as HTML and inside a JavaScript template literal (folium's tooltips)."""
    return escape(text).translate(_JS_TEMPLATE)


def css_token(text: str) -> str:
    """``text`` as one CSS class name: characters other than letters, digits, ``-`` and ``_``
    become ``_``."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", text)


def _pct(x: float | None) -> str:
    return "?" if x is None else f"{x:.0%}"


def bins_layer(
    bins: Sequence[BinView], name: str = "Bins", labels: Mapping[str, str] | None = None
) -> folium.FeatureGroup:
    """One circle per bin, filled by its current level and outlined by its forecast level; its
    status (below half, filling, full, no reading) also shows without colour: a larger circle
    the fuller the bin, dashed without a reading, and named in the tooltip with the levels and
    the predicted-full time. ``labels`` translates :data:`BIN_LABELS`."""
    t = {**BIN_LABELS, **(labels or {})}
    group = folium.FeatureGroup(name=name)
    for b in bins:
        status = fill_status(b.filling_level, b.threshold)
        if b.predicted_full_at is not None:
            full = b.predicted_full_at.strftime("%Y-%m-%d %H:%M")
        else:
            full = t["bin_no_forecast" if b.forecast_level is None else "bin_not_full"]
        folium.CircleMarker(
            location=[b.lat, b.lon],
            radius=BIN_STATUS_RADIUS[status],
            weight=2,
            dash_array="3 3" if status == "unknown" else None,
            color=fill_colour(
                b.forecast_level if b.forecast_level is not None else b.filling_level, b.threshold
            ),
            fill=True,
            fill_opacity=0.9,
            fill_color=fill_colour(b.filling_level, b.threshold),
            tooltip=safe_text(
                f"{b.bin_id} {b.street}: {t['bin_' + status]} · {_pct(b.filling_level)} "
                f"{t['bin_now']}, {_pct(b.forecast_level)} {t['bin_forecast']} · "
                f"{t['bin_full_at']}: {full}"
            ),
            class_name=f"bin bin-{css_token(b.bin_id)} fill-{status}",
        ).add_to(group)
    return group


def alerts_layer(alerts: Sequence[AlertView], name: str = "Alerts") -> folium.FeatureGroup:
    """A warning sign beside each bin with alerts; its tooltip lists them."""
    group = folium.FeatureGroup(name=name)
    for a in alerts:
        icon = (
            f'<div style="color:{ALERT_COLOUR};font-size:18px;line-height:18px;'
            f'text-shadow:0 0 2px #fff">{ALERT_SYMBOL}</div>'
        )
        kinds = " ".join(f"alert-{k}" for k in a.kinds)
        folium.Marker(
            location=[a.lat, a.lon],
            icon=folium.DivIcon(
                html=icon, icon_size=(18, 18), icon_anchor=(-2, 20), class_name=f"alert {kinds}"
            ),
            tooltip=safe_text(f"{a.bin_id} {a.street}: " + " · ".join(a.lines)),
        ).add_to(group)
    return group


def routes_layer(routes: Sequence[RouteView], name: str = "Routes") -> folium.FeatureGroup:
    """Each route as a coloured line (its driven path, else straight between stops) with
    numbered stops coloured by status and also told apart without colour: emptied stops are
    smaller, skipped ones dashed (:data:`maps.colours.STOP_STATUS_STYLE`)."""
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
                tooltip=safe_text(r.vehicle_id),
                class_name=f"route route-{css_token(r.vehicle_id)}",
            ).add_to(group)
        for s in r.stops:
            radius, dash = STOP_STATUS_STYLE.get(s.status, STOP_STATUS_STYLE["planned"])
            folium.CircleMarker(
                location=[s.lat, s.lon],
                radius=radius,
                weight=2,
                dash_array=dash,
                color=colour,
                fill=True,
                fill_opacity=1.0,
                fill_color=STATUS_COLOURS.get(s.status, colour),
                tooltip=safe_text(f"{r.vehicle_id} #{s.seq} {s.bin_id} ({s.status})"),
                class_name=f"stop stop-{s.status}",
            ).add_to(group)
    return group


def adherence_layer(
    visits: Sequence[VisitView],
    off_route: Sequence[Sequence[tuple[float, float]]] = (),
    name: str = "Proof of service",
    labels: Mapping[str, str] | None = None,
) -> folium.FeatureGroup:
    """Bins as the GPS found them: a green check where served, a red cross where missed, an
    orange check where served out of sequence, a teal plus where served unplanned; dashed red
    lines where trucks drove off their routes ((lon, lat) points)."""
    t = {**VISIT_LABELS, **(labels or {})}
    group = folium.FeatureGroup(name=name)
    for line in off_route:
        if len(line) >= 2:
            folium.PolyLine(
                [[lat, lon] for lon, lat in line],
                color=OFF_ROUTE_COLOUR,
                weight=3,
                opacity=0.8,
                dash_array="6 6",
                tooltip=safe_text(t["off_route"]),
                class_name="off-route",
            ).add_to(group)
    for v in visits:
        state = v.state
        icon = (
            f'<div style="background:{visit_colour(state)};color:#fff;border-radius:50%;'
            "width:18px;height:18px;line-height:18px;text-align:center;font-weight:bold;"
            f'border:1px solid #fff">{VISIT_SYMBOLS.get(state, "?")}</div>'
        )
        when = f" {v.served_at}" if v.served_at else ""
        folium.Marker(
            location=[v.lat, v.lon],
            icon=folium.DivIcon(
                html=icon,
                icon_size=(18, 18),
                icon_anchor=(9, 9),
                class_name=f"visit visit-{state}",
            ),
            tooltip=safe_text(f"{v.vehicle_id} {v.bin_id}: {t.get(state, state)}{when}"),
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
            tooltip=safe_text(f"{v.vehicle_id} {v.observed_at} {v.speed_kmh:.0f} km/h"),
            class_name="vehicle",
        ).add_to(group)
    return group


def parking_layer(
    sites: Sequence[ParkingView], name: str = "Parking", labels: dict[str, str] | None = None
) -> folium.FeatureGroup:
    """Parking sites coloured by the probability of a free space and also told apart without
    colour: the likelier, the larger the circle, unlikely ones dashed, the percentage in the
    tooltip (:data:`maps.colours.PARKING_STATUS_RADIUS`)."""
    t = labels or {"p_free": "P(free)", "expected_free": "expected free", "walk": "min walk"}
    group = folium.FeatureGroup(name=name)
    for s in sites:
        walk = "" if s.walk_min is None else f", {s.walk_min:.0f} {t['walk']}"
        status = probability_status(s.p_free)
        folium.CircleMarker(
            location=[s.lat, s.lon],
            radius=PARKING_STATUS_RADIUS[status],
            weight=2,
            dash_array="3 3" if status in ("unlikely", "unknown") else None,
            color="#333333",
            fill=True,
            fill_color=probability_colour(s.p_free),
            fill_opacity=0.85,
            tooltip=safe_text(
                f"{s.name}: {t['p_free']} {s.p_free:.0%}, "
                f"{t['expected_free']} {s.expected_free:.0f}{walk}"
            ),
            class_name=f"parking parking-{status}",
        ).add_to(group)
    return group
