"""Statuses on the maps are told apart by size or dash as well as colour: route stops and
parking sites (the legends of api.map_legend draw the same marks)."""

from __future__ import annotations

from api.i18n import Lang
from api.map_legend import parking_legend, stops_legend
from maps.colours import PARKING_STATUS_RADIUS, STOP_STATUS_STYLE, probability_status
from maps.layers import parking_layer, routes_layer
from maps.views import ParkingView, RouteView, StopView


def _markers(group: object) -> list[object]:
    return list(group._children.values())  # type: ignore[attr-defined]


def test_stop_statuses_differ_without_colour() -> None:
    """Planned, emptied and skipped stops differ in radius or dash, not only in fill."""
    styles = {(r, d) for r, d in STOP_STATUS_STYLE.values()}
    assert len(styles) == 3
    route = RouteView(
        "t",
        tuple(
            StopView(i, f"b{i}", 12.5 + i / 100, 55.6, s)
            for i, s in enumerate(("planned", "emptied", "skipped"))
        ),
    )
    stops = [m for m in _markers(routes_layer([route])) if "stop" in m.options.get("className", "")]  # type: ignore[attr-defined]
    got = {(m.options["radius"], m.options.get("dashArray")) for m in stops}  # type: ignore[attr-defined]
    assert got == styles


def test_parking_bands_differ_without_colour() -> None:
    """Likely, maybe and unlikely sites differ in radius (unlikely also dashed); the band is a
    CSS class and the percentage is in the tooltip."""
    assert [probability_status(p) for p in (0.9, 0.6, 0.1, None)] == [
        "likely",
        "maybe",
        "unlikely",
        "unknown",
    ]
    sites = [
        ParkingView(f"s{i}", f"S{i}", 12.5, 55.6, p, 3.0) for i, p in enumerate((0.9, 0.6, 0.1))
    ]
    markers = _markers(parking_layer(sites))
    radii = [m.options["radius"] for m in markers]  # type: ignore[attr-defined]
    assert radii == [PARKING_STATUS_RADIUS[s] for s in ("likely", "maybe", "unlikely")]
    assert markers[2].options.get("dashArray") == "3 3"  # type: ignore[attr-defined]


def test_legends_name_every_status_in_both_languages() -> None:
    """The stop and parking legends list each status with a mark, in Danish and English."""
    for lang in Lang:
        stops, parking = stops_legend(lang), parking_legend(lang)
        for s in ("planned", "emptied", "skipped"):
            assert f"data-legend='stop-{s}'" in stops
        for b in ("likely", "maybe", "unlikely"):
            assert f"data-legend='parking-{b}'" in parking
        assert "<svg" in stops and "stroke-dasharray" in parking
    assert "sandsynligvis" in parking_legend(Lang.DA) and "likely" in parking_legend(Lang.EN)
