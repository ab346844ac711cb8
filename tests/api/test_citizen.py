"""Citizen parking endpoints: JSON, GeoJSON, map page in two languages, rate limit."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.ratelimit import RateLimit

pytestmark = pytest.mark.integration
NEAR = {"lon": 12.5889, "lat": 55.6954, "radius_m": 2000}


def test_parking_json_ranks_sites(client: TestClient) -> None:
    """Nearby sites come back ranked with probabilities and a best bet."""
    r = client.get("/citizen/parking", params=NEAR)
    assert r.status_code == 200
    body = r.json()
    assert body["candidates"] and body["best_bet"] is not None
    assert all(0 <= c["p_free"] <= 1 for c in body["candidates"])
    assert body["lang"] == "en"


def test_parking_reason_in_danish(client: TestClient) -> None:
    """lang=da answers in Danish."""
    r = client.get("/citizen/parking", params={**NEAR, "lang": "da"})
    assert "chance" in r.json()["reason"] and (
        "Nærmeste" in r.json()["reason"] or "Intet" in r.json()["reason"]
    )


@pytest.mark.parametrize(
    "params",
    [
        {"lon": 500, "lat": 55},
        {"lon": "x", "lat": 55},
        {"lon": 12.5, "lat": 55, "radius_m": -1},
        {"lon": 12.5, "lat": 55, "at": "not-a-time"},
        {"lon": 12.5, "lat": 55, "at": "1990-01-01T00:00"},
        {"lon": 12.5, "lat": 55, "lang": "fr"},
    ],
)
def test_bad_parking_requests_get_422_with_message(client: TestClient, params: dict) -> None:
    """Out-of-range or malformed parameters are 422 with a readable message."""
    r = client.get("/citizen/parking", params=params)
    assert r.status_code == 422
    assert isinstance(r.json()["detail"], str) and r.json()["detail"]


def test_parking_geojson_has_probabilities(client: TestClient) -> None:
    """The GeoJSON export has one point per site with pFree and is attributed."""
    fc = client.get("/citizen/parking.geojson").json()
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 9
    assert "OpenStreetMap" in fc["attribution"]
    assert all(0 <= f["properties"]["pFree"] <= 1 for f in fc["features"])


def test_parking_map_page_is_offline_and_localised(client: TestClient) -> None:
    """The map page loads assets only from the application and is translated."""
    html = client.get("/citizen/parking/map", params={**NEAR, "lang": "da"}).text
    assert '<html lang="da">' in html and "Hvor kan jeg parkere?" in html
    assert "/static/leaflet/leaflet.js" in html and "cdn" not in html
    assert client.get("/static/leaflet/leaflet.js").status_code == 200


def test_rate_limit_gives_429(app_factory) -> None:  # type: ignore[no-untyped-def]
    """A client over its burst gets 429 with Retry-After."""
    with TestClient(app_factory(citizen_limit=RateLimit(rate=0.01, burst=2))) as c:
        codes = [c.get("/citizen/parking", params=NEAR).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        r = c.get("/citizen/parking", params=NEAR)
        assert "too many requests" in r.json()["detail"] and int(r.headers["retry-after"]) >= 1


def test_missing_model_is_503(app_factory, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Without a model file the parking endpoint says so with 503, not 500."""
    with TestClient(app_factory(parking_model_path=tmp_path / "none.npz")) as c:
        r = c.get("/citizen/parking", params=NEAR)
        assert r.status_code == 503 and "not available" in r.json()["detail"]
