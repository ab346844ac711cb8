"""Leaflet's and folium's JavaScript/CSS served by the application itself, not from a CDN.

The files come from installed PyPI packages (``xstatic-leaflet``, ``xstatic-jquery``). Our maps
draw only vector layers and circle markers, so folium's Bootstrap, Font Awesome and
Leaflet.awesome-markers resources (used by ``folium.Icon`` markers) are not loaded at all.
"""

from __future__ import annotations

from pathlib import Path

import folium

# folium resource name -> (package directory key, file inside it)
JS = {"leaflet": ("leaflet", "leaflet.js"), "jquery": ("jquery", "jquery.min.js")}
CSS = {"leaflet_css": ("leaflet", "leaflet.css")}


def asset_dirs() -> dict[str, Path]:
    """Directory of each packaged asset set, to mount under the static prefix."""
    import xstatic.pkg.jquery as xjquery
    import xstatic.pkg.leaflet as xleaflet

    return {"leaflet": Path(xleaflet.BASE_DIR), "jquery": Path(xjquery.BASE_DIR)}


def local_js(static_prefix: str) -> list[tuple[str, str]]:
    """folium ``default_js`` pointing at the application's own static route."""
    return [(name, f"{static_prefix}/{d}/{f}") for name, (d, f) in JS.items()]


def local_css(static_prefix: str) -> list[tuple[str, str]]:
    """folium ``default_css`` pointing at the application's own static route."""
    return [(name, f"{static_prefix}/{d}/{f}") for name, (d, f) in CSS.items()]


def make_offline(m: folium.Map, static_prefix: str) -> folium.Map:
    """Point a map's script and style links at ``static_prefix`` (e.g. ``/static``)."""
    m.default_js = local_js(static_prefix)
    m.default_css = local_css(static_prefix)
    return m
