"""A base map that works offline: local assets, a tile server or the local street layer (pure).

Builders only create folium objects; fetching the street layer happens in the browser, from the
application's own URL.
"""

from __future__ import annotations

import json

import folium
from branca.element import MacroElement
from jinja2 import Template

from maps.assets import make_offline
from maps.streets import street_style

ATTRIBUTION = "© OpenStreetMap contributors"


class Attribution(MacroElement):
    """Adds an attribution line to the map's attribution control."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.text|tojson }});
        {% endmacro %}
    """)

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "Attribution"
        self.text = text


class RemoteGeoJson(MacroElement):
    """A GeoJSON layer the browser fetches from a same-origin URL, styled by feature class."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        fetch({{ this.url|tojson }}, {credentials: "same-origin"})
          .then(function (r) { return r.json(); })
          .then(function (data) {
            var styles = {{ this.styles }};
            var layer = L.geoJSON(data, {interactive: false, style: function (f) {
              return styles[(f.properties || {})["class"]] || styles["minor"]; }});
            layer.addTo({{ this._parent.get_name() }});
            layer.bringToBack();
            window.cityopsStreetsLoaded = true;
            document.body.classList.add("streets-loaded");
          });
        {% endmacro %}
    """)

    def __init__(self, url: str) -> None:
        super().__init__()
        self._name = "RemoteGeoJson"
        self.url = url
        self.styles = json.dumps({c: street_style(c) for c in ("major", "minor")})


def base_map(
    static_prefix: str,
    tile_url: str = "",
    streets_url: str = "",
    *,
    center: tuple[float, float],
    zoom: int = 13,
) -> folium.Map:
    """A map centred on ``center`` (lon, lat; e.g. the city profile's ``map_centre``) drawing tiles
    from ``tile_url`` if given, else the street network fetched from ``streets_url``; always
    attributed to OpenStreetMap."""
    m = folium.Map(
        location=[center[1], center[0]],
        zoom_start=zoom,
        tiles=None,
        control_scale=True,
        prefer_canvas=False,
    )
    make_offline(m, static_prefix)
    if tile_url:
        folium.TileLayer(tile_url, attr=ATTRIBUTION, name="tiles").add_to(m)
    elif streets_url:
        m.add_child(RemoteGeoJson(streets_url))
    m.add_child(Attribution(ATTRIBUTION))
    return m
