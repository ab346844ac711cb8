"""Map builders: the layers, features and colours they draw, offline assets, attribution."""

from __future__ import annotations

import re

import folium

from maps.colours import GREEN, GREY, RED, fill_colour, probability_colour
from maps.geojson import bins_geojson, parking_geojson, routes_geojson
from maps.layers import routes_layer
from maps.pages import operations_map, parking_map
from maps.streets import street_geojson
from maps.views import BinView, ParkingView, RouteView, StopView, VehicleView
from routing.network.ways import OsmData, OsmWay
from tests.cities import COPENHAGEN

CENTRE = COPENHAGEN.map_centre
BINS = [BinView("b1", 12.56, 55.67, "A", 0.9, 0.95), BinView("b2", 12.57, 55.68, "B", 0.1, 0.5)]
ROUTE = RouteView(
    "t1", (StopView(1, "b1", 12.56, 55.67), StopView(2, "b2", 12.57, 55.68, "emptied"))
)


def _markers(m: folium.Map) -> list[folium.CircleMarker]:
    out = []
    for group in m._children.values():
        out += [
            c
            for c in getattr(group, "_children", {}).values()
            if isinstance(c, folium.CircleMarker)
        ]
    return out


def test_fill_colours() -> None:
    """Red at or above the threshold, green well below, grey when unknown."""
    assert fill_colour(0.85) == RED and fill_colour(0.1) == GREEN and fill_colour(None) == GREY
    assert probability_colour(0.9) == GREEN and probability_colour(0.2) == RED


def test_operations_map_layers_and_colours() -> None:
    """Bins, routes and vehicles are separate layers; bins are filled by their level."""
    m = operations_map(
        BINS, [ROUTE], [VehicleView("t1", 12.565, 55.675)], "/static", city_centre=CENTRE
    )
    names = [c.layer_name for c in m._children.values() if isinstance(c, folium.FeatureGroup)]
    assert names == ["Bins", "Routes", "Vehicles"]
    fills = [c.options["fillColor"] for c in _markers(m) if "bin" in c.options["className"]]
    assert fills == [RED, GREEN]


def test_rendered_map_loads_nothing_from_outside() -> None:
    """Every script and stylesheet is served under the static prefix; OSM is attributed."""
    m = operations_map(BINS, [ROUTE], [], "/static", streets_url="/s.geojson", city_centre=CENTRE)
    html = m.get_root().render()
    links = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert links and all(u.startswith("/static/") for u in links)
    assert "OpenStreetMap contributors" in html and "/s.geojson" in html


def test_tile_url_setting_adds_tile_layer() -> None:
    """With a tile server configured the map uses it (and still attributes OSM)."""
    html = (
        parking_map(
            [],
            (12.5, 55.6),
            "/static",
            tile_url="http://tiles.local/{z}/{x}/{y}.png",
            city_centre=CENTRE,
        )
        .get_root()
        .render()
    )
    assert "http://tiles.local/{z}/{x}/{y}.png" in html


def test_geojson_builders_use_lon_lat() -> None:
    """GeoJSON points are [lon, lat]; routes give a line plus ordered stops."""
    assert bins_geojson(BINS)["features"][0]["geometry"]["coordinates"] == [12.56, 55.67]
    fc = routes_geojson([ROUTE])
    assert fc["features"][0]["geometry"]["type"] == "LineString"
    assert [f["properties"]["seq"] for f in fc["features"][1:]] == [1, 2]
    p = parking_geojson([ParkingView("s", "S", 12.5, 55.6, 0.7, 3.0)])
    assert p["features"][0]["properties"]["pFree"] == 0.7


PATH = ((12.56, 55.67), (12.561, 55.672), (12.565, 55.679), (12.57, 55.68))


def test_route_line_follows_the_path_when_known() -> None:
    """Routes GeoJSON and the map line use the driven path; stop points stay at the stops."""
    routed = RouteView(ROUTE.vehicle_id, ROUTE.stops, PATH)
    fc = routes_geojson([routed])
    assert fc["features"][0]["geometry"]["coordinates"] == [list(p) for p in PATH]
    assert [f["geometry"]["coordinates"] for f in fc["features"][1:]] == [
        [12.56, 55.67],
        [12.57, 55.68],
    ]
    line = next(
        c for c in routes_layer([routed])._children.values() if isinstance(c, folium.PolyLine)
    )
    assert [tuple(p) for p in line.locations] == [(lat, lon) for lon, lat in PATH]


def test_route_line_falls_back_to_straight_stop_to_stop() -> None:
    """Without a path the line joins the stops in order."""
    fc = routes_geojson([ROUTE])
    assert fc["features"][0]["geometry"]["coordinates"] == [[12.56, 55.67], [12.57, 55.68]]
    line = next(
        c for c in routes_layer([ROUTE])._children.values() if isinstance(c, folium.PolyLine)
    )
    assert [tuple(p) for p in line.locations] == [(55.67, 12.56), (55.68, 12.57)]


def test_street_geojson_classes_and_dedup() -> None:
    """Ways become major/minor MultiLineStrings, a way repeated in two extracts once."""
    import numpy as np

    osm = OsmData(
        np.array([1, 2, 3]),
        np.array([12.5, 12.6, 12.7]),
        np.array([55.6, 55.6, 55.7]),
        (OsmWay(10, (1, 2), "primary"), OsmWay(11, (2, 3, 99), "residential")),
    )
    fc = street_geojson([osm, osm])
    by = {f["properties"]["class"]: f["geometry"]["coordinates"] for f in fc["features"]}
    assert by["major"] == [[[12.5, 55.6], [12.6, 55.6]]]
    assert by["minor"] == [[[12.6, 55.6], [12.7, 55.7]]]
