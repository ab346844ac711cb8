"""Driver routes as JSON, GPX and HTML; stop reports update bin state and plan progress."""

from __future__ import annotations

import asyncio
import json
import re
import xml.etree.ElementTree as ET

import asyncpg
import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import PASSWORD, Seed, login

pytestmark = pytest.mark.integration


def test_my_routes_lists_only_assigned_vehicles(client: TestClient, seeded: Seed) -> None:
    """GET /driver/routes returns the driver's own truck's route, in stop order."""
    routes = client.get("/driver/routes", headers=login(client, "driver1")).json()
    assert [r["vehicle_id"] for r in routes] == ["truck-a"]
    seqs = [s["seq"] for s in routes[0]["stops"]]
    assert seqs == sorted(seqs) and routes[0]["progress"]["total"] == 3


def test_gpx_is_valid_xml_with_all_stops(client: TestClient) -> None:
    """The GPX has one waypoint per stop and a route in the same order."""
    r = client.get("/driver/routes/truck-a/route.gpx", headers=login(client, "driver1"))
    assert r.headers["content-type"].startswith("application/gpx+xml")
    ns = {"g": "http://www.topografix.com/GPX/1/1"}
    root = ET.fromstring(r.text)
    assert len(root.findall("g:wpt", ns)) == 5 and len(root.findall("g:rte/g:rtept", ns)) == 5


def test_gpx_track_is_the_stored_geometry_only_when_stored(client: TestClient) -> None:
    """truck-a's GPX adds a track along its road geometry; truck-b's (none stored) has none."""
    ns = {"g": "http://www.topografix.com/GPX/1/1"}
    h = login(client, "planner")
    a = ET.fromstring(client.get("/driver/routes/truck-a/route.gpx", headers=h).text)
    wpts = [(float(p.get("lon")), float(p.get("lat"))) for p in a.findall("g:wpt", ns)]
    trk = [
        (float(p.get("lon")), float(p.get("lat"))) for p in a.findall("g:trk/g:trkseg/g:trkpt", ns)
    ]
    assert len(trk) == 2 * len(wpts) - 1 and trk[::2] == wpts
    b = ET.fromstring(client.get("/driver/routes/truck-b/route.gpx", headers=h).text)
    assert b.findall("g:trk", ns) == [] and len(b.findall("g:wpt", ns)) == 4


def test_route_map_draws_the_geometry_when_stored(client: TestClient) -> None:
    """The driver's map line has the geometry's points for truck-a, the stops' for truck-b."""
    h = login(client, "planner")
    a = client.get("/driver/routes/truck-a/map", headers=h).text
    b = client.get("/driver/routes/truck-b/map", headers=h).text
    assert _line_points(a) == 9 and _line_points(b) == 4


def _line_points(html: str) -> int:
    """Number of points of the single route polyline embedded in a map page."""
    m = re.search(r"L\.polyline\(\s*(\[\[.*?\]\])", html, re.S)
    assert m is not None
    return len(json.loads(m.group(1)))


def test_report_emptied_updates_bin_state_and_progress(client: TestClient, seeded: Seed) -> None:
    """Reporting a stop emptied sets the bin's level to 0 and counts it in the plan progress."""
    h = login(client, "driver1")
    r = client.post(
        "/driver/routes/truck-a/stops/3",
        json={"status": "emptied", "fill_observed": 0.85},
        headers=h,
    )
    assert r.status_code == 200, r.text
    stop = next(s for s in r.json()["stops"] if s["seq"] == 3)
    assert stop["status"] == "emptied" and stop["fill_observed"] == 0.85

    async def level() -> float:
        conn = await asyncpg.connect(seeded.dsn)
        try:
            return await conn.fetchval(
                "SELECT filling_level FROM bin_state WHERE bin_id = $1", stop["bin_id"]
            )
        finally:
            await conn.close()

    assert asyncio.run(level()) == 0.0
    p = client.get("/planner/plans/current", headers=login(client, "planner")).json()["progress"]
    assert p["emptied"] == 1 and p["planned"] == 4


def test_report_skipped_needs_reason(client: TestClient) -> None:
    """A skip without a reason is 422; with one it is stored."""
    h = login(client, "driver1")
    r = client.post("/driver/routes/truck-a/stops/1", json={"status": "skipped"}, headers=h)
    assert r.status_code == 422 and "skip_reason" in r.json()["detail"]
    r = client.post(
        "/driver/routes/truck-a/stops/1",
        json={"status": "skipped", "skip_reason": "blocked"},
        headers=h,
    )
    assert next(s for s in r.json()["stops"] if s["seq"] == 1)["skip_reason"] == "blocked"


@pytest.mark.parametrize("seq, code", [(0, 400), (99, 404), (-1, 404), (2**40, 404)])
def test_report_on_non_bin_or_unknown_stop_is_4xx(client: TestClient, seq: int, code: int) -> None:
    """Reporting the depot stop is 400, an unknown stop 404, each with a message."""
    r = client.post(
        f"/driver/routes/truck-a/stops/{seq}",
        json={"status": "emptied"},
        headers=login(client, "driver1"),
    )
    assert r.status_code == code and r.json()["detail"]


def test_page_login_and_form_report(client: TestClient) -> None:
    """Logging in on the page leads to the route page; its form marks a stop emptied."""
    r = client.post("/login", data={"username": "driver1", "password": PASSWORD})
    assert r.url.path == "/driver/routes/truck-a/page" and "truck-a" in r.text
    assert 'name="viewport"' in r.text
    r = client.post(
        "/driver/routes/truck-a/stops/2/form", data={"status": "emptied", "fill_observed": "0.9"}
    )
    assert r.status_code == 200 and "1 emptied" in r.text


def test_report_queued_offline_keeps_its_time(client: TestClient) -> None:
    """A report sent later carries when the stop was done; one dated in the future is 422."""
    h = login(client, "driver1")
    done = "2024-03-18T07:12:30+00:00"
    r = client.post(
        "/driver/routes/truck-a/stops/2",
        json={"status": "emptied", "fill_observed": 0.6, "reported_at": done},
        headers=h,
    )
    assert r.status_code == 200, r.text
    stop = next(s for s in r.json()["stops"] if s["seq"] == 2)
    assert stop["reported_at"].replace("Z", "+00:00") == done
    r = client.post(
        "/driver/routes/truck-a/stops/1",
        json={"status": "emptied", "reported_at": "2999-01-01T00:00:00+00:00"},
        headers=h,
    )
    assert r.status_code == 422 and "future" in r.text


def test_report_dated_before_the_plans_day_is_refused(client: TestClient) -> None:
    """A queued report dated days before the plan's day is a 400 with a message, not stored."""
    h = login(client, "driver1")
    r = client.post(
        "/driver/routes/truck-a/stops/1",
        json={"status": "emptied", "reported_at": "2020-01-01T08:00:00+00:00"},
        headers=h,
    )
    assert r.status_code == 400 and "before the plan's day" in r.text
