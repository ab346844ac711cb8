"""The citizens' parking page panel in Danish or English: a search form (a street or place by
name, the device's location, an arrival time in the city's local time), the answer as text and a
table of the ranked sites, and the map's legend (pure shaping of what the router computed)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from html import escape

from api.i18n import Lang, t
from api.map_legend import parking_legend
from parking.nearby import Candidate


def _e(lang: Lang, key: str, **kw: object) -> str:
    return escape(t(lang, key, **kw))


def _js(text: str) -> str:
    """``text`` as a JavaScript string literal safe inside a ``<script>`` element."""
    return json.dumps(text).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def search_form(
    lang: Lang, q: str, lon: float, lat: float, at: datetime, radius_m: float, tz: str
) -> str:
    """The search form (GET: works without JavaScript); with it, a location button filling
    lon/lat from the device and name suggestions from ``/citizen/places``."""
    return (
        f'<form method="get" action="/citizen/parking/map" id="search" role="search">'
        f'<input type="hidden" name="lang" value="{lang.value}">'
        f'<label for="q">{_e(lang, "place")}</label>'
        f'<input id="q" name="q" value="{escape(q)}" maxlength="100" list="places"'
        ' autocomplete="off"><datalist id="places"></datalist> '
        f'<button type="submit" name="find" value="1">{_e(lang, "find")}</button>'
        f"<details><summary>{_e(lang, 'lon')} / {_e(lang, 'lat')}</summary>"
        f'<label for="lon">{_e(lang, "lon")}</label>'
        f'<input id="lon" name="lon" inputmode="decimal" value="{lon:.6f}">'
        f'<label for="lat">{_e(lang, "lat")}</label>'
        f'<input id="lat" name="lat" inputmode="decimal" value="{lat:.6f}"></details>'
        f'<p><button type="button" id="locate" hidden>{_e(lang, "use_location")}</button>'
        ' <span id="geo-status" role="status"></span></p>'
        f'<label for="at">{_e(lang, "arrival", tz=tz)}</label>'
        f'<input id="at" name="at" type="datetime-local" value="{at:%Y-%m-%dT%H:%M}">'
        f'<label for="radius_m">{_e(lang, "radius")}</label>'
        f'<input id="radius_m" name="radius_m" type="number" min="10" max="5000"'
        f' value="{radius_m:.0f}"> <button type="submit">{_e(lang, "show")}</button></form>'
        f"<script>{_script(t(lang, 'location_failed'))}</script>"
    )


def _script(failed: str) -> str:
    return (
        "(function(){var b=document.getElementById('locate'),s=document.getElementById("
        "'geo-status'),q=document.getElementById('q'),d=document.getElementById('places');"
        "if(navigator.geolocation){b.hidden=false;}"
        "b.addEventListener('click',function(){navigator.geolocation.getCurrentPosition("
        "function(p){document.getElementById('lon').value=p.coords.longitude.toFixed(6);"
        "document.getElementById('lat').value=p.coords.latitude.toFixed(6);q.value='';"
        "document.getElementById('search').submit();},"
        f"function(){{s.textContent={_js(failed)};}});}});"
        "q.addEventListener('input',function(){if(q.value.length<2){return;}"
        "fetch('/citizen/places?limit=8&q='+encodeURIComponent(q.value)).then(function(r){"
        "return r.ok?r.json():[];}).then(function(list){d.textContent='';list.forEach("
        "function(p){var o=document.createElement('option');o.value=p.name;d.appendChild(o);});"
        "});});})();"
    )


def candidates_table(candidates: Sequence[Candidate], lang: Lang) -> str:
    """The ranked sites as a table: name, chance of a free space, expected free, walk."""
    if not candidates:
        return ""
    rows = "".join(
        f'<tr data-site="{escape(c.site_id)}"><th scope="row">{escape(c.name)}</th>'
        f"<td>{c.p_free:.0%}</td><td>{c.expected_free:.0f}</td><td>{c.walk_min:.0f}</td></tr>"
        for c in candidates
    )
    head = "".join(
        f'<th scope="col">{_e(lang, k)}</th>'
        for k in ("site", "p_free", "expected_free", "walk_min")
    )
    return (
        f'<table id="candidates"><caption>{_e(lang, "candidates")}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    )


def parking_panel(
    lang: Lang,
    form: str,
    place_note: str,
    reason: str,
    best: str,
    at: datetime,
    candidates: Sequence[Candidate],
    switch: str,
) -> str:
    """The whole panel; ``form`` and ``switch`` are trusted HTML, the rest is escaped here."""
    note = f'<p id="place" role="status">{escape(place_note)}</p>' if place_note else ""
    best_html = f"<br><b>{_e(lang, 'best_bet')}:</b> {escape(best)}" if best else ""
    return (
        f"<h1>{_e(lang, 'title')}</h1><p>{switch}</p>{form}{note}"
        f"<p>{_e(lang, 'at')}: {escape(at.strftime('%Y-%m-%d %H:%M'))}<br>"
        f"<span id='reason'>{escape(reason)}</span>{best_html}</p>"
        f"{candidates_table(candidates, lang)}{parking_legend(lang)}"
    )
