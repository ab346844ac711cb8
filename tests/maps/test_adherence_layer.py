"""The proof-of-service layer: one marker per bin visit, coloured and labelled by its state, and
dashed off-route lines; the live map adds it only when there is a result."""

from __future__ import annotations

import folium

from maps.colours import GREEN, GREY, OFF_ROUTE_COLOUR, ORANGE, RED, TEAL, visit_colour
from maps.layers import adherence_layer
from maps.pages import operations_map
from maps.views import VisitView
from tests.cities import COPENHAGEN

VISITS = [
    VisitView("t1", "b1", 12.56, 55.67, "served", True, "07:05"),
    VisitView("t1", "b2", 12.57, 55.68, "missed"),
    VisitView("t1", "b3", 12.58, 55.69, "served", False, "07:01"),
    VisitView("t2", "b4", 12.59, 55.70, "unplanned", None, "08:00"),
]
DETOUR = ((12.56, 55.67), (12.565, 55.675), (12.57, 55.68))


def _markers(group: folium.FeatureGroup) -> list[folium.Marker]:
    return [c for c in group._children.values() if isinstance(c, folium.Marker)]


def _tooltip(marker: folium.Marker) -> str:
    (tip,) = [c for c in marker._children.values() if isinstance(c, folium.Tooltip)]
    return str(tip.text)


def test_visit_states_and_colours() -> None:
    """Served in order is green, missed red, served out of order orange, unplanned teal."""
    assert [v.state for v in VISITS] == ["served", "missed", "out_of_sequence", "unplanned"]
    assert [visit_colour(v.state) for v in VISITS] == [GREEN, RED, ORANGE, TEAL]
    assert visit_colour("something else") == GREY


def test_layer_has_one_marker_per_visit_with_symbol_colour_and_tooltip() -> None:
    """Each visit is a marker with its state's class, colour, symbol and a labelled tooltip."""
    markers = _markers(adherence_layer(VISITS))
    assert [m.location for m in markers] == [[v.lat, v.lon] for v in VISITS]
    icons = [m.icon.options for m in markers]
    assert [i["class_name"] for i in icons] == [
        "visit visit-served",
        "visit visit-missed",
        "visit visit-out_of_sequence",
        "visit visit-unplanned",
    ]
    html = [i["html"] for i in icons]
    assert f"background:{GREEN}" in html[0] and "✓" in html[0]
    assert f"background:{RED}" in html[1] and "✗" in html[1]
    assert f"background:{ORANGE}" in html[2] and f"background:{TEAL}" in html[3]
    tips = [_tooltip(m) for m in markers]
    assert tips[0] == "t1 b1: served 07:05" and tips[1] == "t1 b2: missed"
    assert tips[2] == "t1 b3: out of sequence 07:01"


def test_off_route_lines_are_dashed_red_lon_lat_swapped() -> None:
    """An off-route line is a dashed red polyline through [lat, lon] points."""
    group = adherence_layer([], [DETOUR])
    (line,) = [c for c in group._children.values() if isinstance(c, folium.PolyLine)]
    assert [tuple(p) for p in line.locations] == [(lat, lon) for lon, lat in DETOUR]
    assert line.options["color"] == OFF_ROUTE_COLOUR and line.options["dashArray"] == "6 6"
    assert line.options["className"] == "off-route"


def test_labels_translate_layer_and_states() -> None:
    """Labels in another language rename the layer and the states in the tooltips."""
    da = {"adherence": "Tømningsbevis", "missed": "ikke besøgt"}
    m = operations_map(
        [], [], [], "/static", city_centre=COPENHAGEN.map_centre, visits=VISITS, labels=da
    )
    groups = [c for c in m._children.values() if isinstance(c, folium.FeatureGroup)]
    assert [g.layer_name for g in groups] == ["Bins", "Routes", "Tømningsbevis", "Vehicles"]
    assert _tooltip(_markers(groups[2])[1]) == "t1 b2: ikke besøgt"


def test_no_result_no_layer() -> None:
    """Without visits or off-route lines the live map has no proof-of-service layer."""
    m = operations_map([], [], [], "/static", city_centre=COPENHAGEN.map_centre)
    names = [c.layer_name for c in m._children.values() if isinstance(c, folium.FeatureGroup)]
    assert names == ["Bins", "Routes", "Vehicles"]
