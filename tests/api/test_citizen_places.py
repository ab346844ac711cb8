"""The citizens' place search (offline street names) and parking page: a street by name, the
device's location, an arrival time in local time, the answer as text and a table; defaults at
the city profile's map centre; names escaped everywhere."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from api.citizen_page import candidates_table, search_form
from api.i18n import Lang
from core.settings import Settings
from parking.nearby import Candidate
from tests.cities import COPENHAGEN_TZ

pytestmark = pytest.mark.integration


def test_places_endpoint_finds_streets_by_name(client: TestClient) -> None:
    """'norrebro' finds Nørrebrogade with a point inside the city; an empty query is 422."""
    r = client.get("/citizen/places", params={"q": "norrebro", "limit": 5})
    assert r.status_code == 200
    names = {p["name"]: p for p in r.json()}
    assert "Nørrebrogade" in names
    p = names["Nørrebrogade"]
    assert 12.4 < p["lon"] < 12.7 and 55.6 < p["lat"] < 55.8
    assert client.get("/citizen/places", params={"q": ""}).status_code == 422
    assert client.get("/citizen/places", params={"q": "zzqx"}).json() == []


def test_page_finds_a_street_and_answers_as_text(client: TestClient) -> None:
    """A name resolves server-side (no JavaScript): the page says where, gives the reason and a
    table of sites with chance and walk."""
    r = client.get(
        "/citizen/parking/map", params={"q": "nørrebrogade", "radius_m": 5000, "lang": "da"}
    )
    assert r.status_code == 200
    html = r.text
    assert "Viser parkering nær Nørrebrogade." in html
    assert 'id="reason"' in html or "id='reason'" in html
    assert 'id="candidates"' in html and "Gang (min.)" in html and "%</td>" in html
    assert 'value="nørrebrogade"' in html  # the search box keeps the query


def test_page_form_fields_blank_and_unknown_place(client: TestClient) -> None:
    """Blank lon/lat/at (an untouched form) use the city centre and now; an unknown name says
    so, escaped."""
    r = client.get("/citizen/parking/map", params={"lon": "", "lat": "", "at": "", "q": ""})
    assert r.status_code == 200
    lon, lat = Settings().city_profile().map_centre
    assert f'value="{lon:.6f}"' in r.text and f'value="{lat:.6f}"' in r.text
    r = client.get("/citizen/parking/map", params={"q": "<script>alert(1)</script>"})
    assert r.status_code == 200 and "<script>alert(1)" not in r.text
    assert "No street or place called" in r.text


def test_arrival_time_is_local(client: TestClient) -> None:
    """A datetime-local value is read in the city's local time and shown back as such."""
    local = (datetime.now(ZoneInfo(COPENHAGEN_TZ)) + timedelta(hours=2)).replace(
        second=0, microsecond=0
    )
    value = local.strftime("%Y-%m-%dT%H:%M")
    r = client.get("/citizen/parking/map", params={"at": value, "lang": "en"})
    assert r.status_code == 200
    assert f'type="datetime-local" value="{value}"' in r.text
    assert f"Arrival: {local:%Y-%m-%d %H:%M}" in r.text
    assert client.get("/citizen/parking/map", params={"at": "soon"}).status_code == 422


def test_location_button_and_legend(client: TestClient) -> None:
    """The page has a (script-revealed) location button, labelled fields and a legend that tells
    the chance bands by size and dash; nothing is fetched from elsewhere."""
    html = client.get("/citizen/parking/map", params={"radius_m": 5000}).text
    assert 'id="locate"' in html and "navigator.geolocation" in html
    for field in ("q", "lon", "lat", "at", "radius_m"):
        assert f'<label for="{field}">' in html
    for band in ("likely", "maybe", "unlikely"):
        assert f"data-legend='parking-{band}'" in html
    assert "parking parking-" in html and 'src="http' not in html and 'href="http' not in html


def test_geojson_defaults_to_the_city_centre(client: TestClient) -> None:
    """Without lon/lat the GeoJSON asks around the profile's map centre."""
    lon, lat = Settings().city_profile().map_centre
    a = client.get("/citizen/parking.geojson").json()
    b = client.get("/citizen/parking.geojson", params={"lon": lon, "lat": lat}).json()
    assert len(a["features"]) == len(b["features"]) > 0


def test_names_are_escaped_in_the_table_and_form() -> None:
    """A hostile OpenStreetMap name or query is escaped in the table, the form and the script."""
    bad = "</script><img src=x onerror=alert(1)>"
    c = Candidate("s1", bad, "street", 12.5, 55.6, 100.0, 1.2, 0.5, 1.0, 0.5, None, None)
    table = candidates_table([c], Lang.EN)
    assert bad not in table and "&lt;/script&gt;" in table
    form = search_form(Lang.DA, bad, 12.5, 55.6, datetime(2024, 3, 18, 9), 500, "X/Y")
    assert bad not in form
