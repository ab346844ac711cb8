"""Planner endpoints: plans with KPIs, GeoJSON, overrides, live view, plan jobs."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import Seed, login

pytestmark = pytest.mark.integration


def test_plan_has_totals_kpis_and_routes(client: TestClient, seeded: Seed) -> None:
    """A plan lists every vehicle's route with totals and KPIs."""
    p = client.get(f"/planner/plans/{seeded.plan_id}", headers=login(client, "planner")).json()
    assert [r["vehicle_id"] for r in p["routes"]] == ["truck-a", "truck-b"]
    assert p["totals"]["km"] == 24.0 and p["kpis"]["km_per_bin"] == pytest.approx(4.8)
    assert p["progress"]["total"] == 5


def test_routes_geojson_lines_and_ordered_stops(client: TestClient, seeded: Seed) -> None:
    """Routes GeoJSON has a LineString per vehicle and [lon, lat] stop points."""
    fc = client.get(f"/planner/plans/{seeded.plan_id}/routes.geojson",
                    headers=login(client, "planner")).json()
    lines = [f for f in fc["features"] if f["geometry"]["type"] == "LineString"]
    assert len(lines) == 2
    pt = next(f for f in fc["features"] if f["geometry"]["type"] == "Point")
    assert 12 < pt["geometry"]["coordinates"][0] < 13


def test_overrides_round_trip(client: TestClient, seeded: Seed) -> None:
    """Forcing a bin in, listing and removing it; an unknown bin is 404."""
    h = login(client, "planner")
    r = client.put("/planner/overrides/2024-03-18/bin-001", json={"mode": "exclude"}, headers=h)
    assert r.status_code == 200 and r.json()["set_by"] == "planner"
    assert client.get("/planner/overrides/2024-03-18", headers=h).json()[0]["mode"] == "exclude"
    assert client.delete("/planner/overrides/2024-03-18/bin-001", headers=h).status_code == 204
    r = client.put("/planner/overrides/2024-03-18/nope", json={"mode": "include"}, headers=h)
    assert r.status_code == 404


def test_live_view_draws_bins_routes_vehicles(client: TestClient, seeded: Seed) -> None:
    """The live view embeds the bins, both routes and the two trucks (not the sweeper)."""
    html = client.get("/planner/live", headers=login(client, "planner")).text
    assert html.count('"className": "bin ') == 5
    assert html.count('"className": "route ') == 2
    assert html.count('"className": "vehicle"') == 2
    assert "0 emptied" in html


def test_bins_geojson_has_fill_and_forecast(client: TestClient) -> None:
    """Planner bins GeoJSON carries fillingLevel and a forecast level."""
    fc = client.get("/planner/bins.geojson", headers=login(client, "planner")).json()
    props = [f["properties"] for f in fc["features"]]
    assert len(props) == 5 and props[4]["fillingLevel"] == pytest.approx(0.8)
    assert any(p["forecastFillingLevel"] is not None for p in props)


@pytest.mark.slow
def test_plan_job_runs_with_progress(client: TestClient, seeded: Seed) -> None:
    """Generating a plan runs as a job whose progress can be polled to the end."""
    h = login(client, "planner")
    r = client.post("/planner/plans", json={"plan_date": "2024-03-19", "time_limit_s": 2},
                    headers=h)
    assert r.status_code == 202
    job_id = r.json()["job_id"]
    seen = []
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        j = client.get(f"/planner/jobs/{job_id}", headers=h).json()
        seen.append(j["progress"])
        if j["status"] in ("done", "failed"):
            break
        time.sleep(0.5)
    assert j["status"] == "done", j
    assert seen == sorted(seen) and j["result"]["plan_id"] > seeded.plan_id
