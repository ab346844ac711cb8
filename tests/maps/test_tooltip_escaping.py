"""Hostile names (OpenStreetMap streets are user-contributed; ids come from devices) reach every
map layer's tooltip as text: escaped for HTML and for folium's JavaScript template literals, so
the rendered page has exactly the scripts and template literals of a map with harmless names."""

from __future__ import annotations

import html
import re

from hypothesis import given
from hypothesis import strategies as st

from maps.layers import safe_text
from maps.pages import operations_map, parking_map
from maps.views import (
    AlertView,
    BinView,
    ParkingView,
    RouteView,
    StopView,
    VehicleView,
    VisitView,
)
from tests.cities import COPENHAGEN

HOSTILE = (
    "</script><script>alert(1)</script>",
    "'\";alert(1)//",
    "`;alert(1);`${alert(2)}\\`",
    "<img src=x onerror=alert(3)>",
)
_TOOLTIP = re.compile(r"\.bindTooltip\(\s*`(.*?)`,", re.S)


def _pages(name: str) -> str:
    """The planners' operations map and the citizens' parking map with ``name`` in every text
    a tooltip shows."""
    bins = [BinView(f"bin{name}", 12.56, 55.68, name, 0.5, 0.6)]
    stops = (StopView(1, f"bin{name}", 12.56, 55.68, "planned"),)
    routes = [RouteView(f"truck{name}", stops, ((12.55, 55.67), (12.56, 55.68)))]
    vehicles = [VehicleView(f"truck{name}", 12.57, 55.68, name, 20.0)]
    visits = [VisitView(f"truck{name}", f"bin{name}", 12.56, 55.68, "served", True, name)]
    alerts = [AlertView(f"bin{name}", name, 12.56, 55.68, ("low_battery",), (name,))]
    ops = operations_map(
        bins,
        routes,
        vehicles,
        "/static",
        city_centre=COPENHAGEN.map_centre,
        visits=visits,
        off_route=[((12.55, 55.67), (12.56, 55.68))],
        alerts=alerts,
    )
    parking = parking_map(
        [ParkingView(f"p{name}", name, 12.56, 55.68, 0.7, 3.0, 2.0)],
        (12.56, 55.68),
        "/static",
        city_centre=COPENHAGEN.map_centre,
    )
    return ops.get_root().render() + parking.get_root().render()


def _shape(page: str) -> tuple[int, int, int, int]:
    """What an injection would change: script tags, template literal quotes, ``${``, tooltips."""
    return (
        page.count("<script"),
        page.count("`"),
        page.count("${"),
        len(_TOOLTIP.findall(page)),
    )


def test_hostile_names_leave_the_pages_scripts_and_literals_unchanged() -> None:
    """Every hostile name: the same number of scripts, backticks and ``${`` as harmless names,
    none of its markup or quotes raw, and each tooltip showing it as plain text."""
    harmless = _shape(_pages("Vesterbrogade"))
    for name in HOSTILE:
        page = _pages(name)
        assert _shape(page) == harmless, name
        for raw in ("<script>alert", "</script><script>", "<img src=x", "'\";alert", "`;alert"):
            assert raw not in page, (name, raw)
        tips = [html.unescape(t) for t in _TOOLTIP.findall(page)]
        assert len(tips) >= 8 and all(name in t for t in tips if "off route" not in t), name


@given(st.text())
def test_safe_text_is_inert_and_shows_the_same_text(text: str) -> None:
    """Nothing that ends a template literal, starts a substitution, a tag or an attribute
    value survives, and the browser shows the original text."""
    out = safe_text(text)
    assert not set(out) & set("<>\"'`$\\")
    assert html.unescape(out) == text
