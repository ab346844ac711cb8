"""Planner endpoints: plans with KPIs, GeoJSON, overrides, live view, plan jobs."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta
from datetime import time as dtime

import asyncpg
import pytest
from fastapi.testclient import TestClient

from api.plan_access import today
from core.db.stop_reports import report_stop
from tests.api.conftest import Seed, login
from tests.cities import COPENHAGEN

TZ = COPENHAGEN.zone

pytestmark = pytest.mark.integration


def test_plan_has_totals_kpis_and_routes(client: TestClient, seeded: Seed) -> None:
    """A plan lists every vehicle's route with totals and KPIs."""
    p = client.get(f"/planner/plans/{seeded.plan_id}", headers=login(client, "planner")).json()
    assert [r["vehicle_id"] for r in p["routes"]] == ["truck-a", "truck-b"]
    assert p["totals"]["km"] == 24.0 and p["kpis"]["km_per_bin"] == pytest.approx(4.8)
    assert p["progress"]["total"] == 5


def test_routes_geojson_lines_and_ordered_stops(client: TestClient, seeded: Seed) -> None:
    """Routes GeoJSON has a LineString per vehicle and [lon, lat] stop points."""
    fc = client.get(
        f"/planner/plans/{seeded.plan_id}/routes.geojson", headers=login(client, "planner")
    ).json()
    lines = [f for f in fc["features"] if f["geometry"]["type"] == "LineString"]
    assert len(lines) == 2
    pt = next(f for f in fc["features"] if f["geometry"]["type"] == "Point")
    assert 12 < pt["geometry"]["coordinates"][0] < 13


def test_routes_geojson_follows_stored_geometry_else_stops(
    client: TestClient, seeded: Seed
) -> None:
    """truck-a's line is its stored road geometry; truck-b (none stored) joins its stops."""
    fc = client.get(
        f"/planner/plans/{seeded.plan_id}/routes.geojson", headers=login(client, "planner")
    ).json()
    lines = {
        f["properties"]["vehicleId"]: f["geometry"]["coordinates"]
        for f in fc["features"]
        if f["geometry"]["type"] == "LineString"
    }
    stops = {
        v: [
            f["geometry"]["coordinates"]
            for f in fc["features"]
            if f["geometry"]["type"] == "Point" and f["properties"]["vehicleId"] == v
        ]
        for v in lines
    }
    assert len(lines["truck-a"]) == 2 * len(stops["truck-a"]) - 1
    assert lines["truck-a"][::2] == stops["truck-a"]
    assert lines["truck-b"] == stops["truck-b"]


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


def test_live_view_logs_access_to_vehicle_positions(client: TestClient, seeded: Seed) -> None:
    """Opening the live view records who read the drivers' positions and why."""

    async def rows() -> list[tuple[str, str, str]]:
        conn = await asyncpg.connect(seeded.dsn)
        try:
            return [
                tuple(r)
                for r in await conn.fetch(
                    "SELECT actor, purpose, resource FROM access_log"
                    " WHERE resource = 'vehicle_state'"
                )
            ]
        finally:
            await conn.close()

    before = len(asyncio.run(rows()))
    client.get("/planner/live", headers=login(client, "planner"))
    after = asyncio.run(rows())
    assert len(after) == before + 1
    assert after[-1] == ("planner", "live operations view", "vehicle_state")


def test_bins_geojson_has_fill_and_forecast(client: TestClient) -> None:
    """Planner bins GeoJSON carries fillingLevel and a forecast level."""
    fc = client.get("/planner/bins.geojson", headers=login(client, "planner")).json()
    props = [f["properties"] for f in fc["features"]]
    assert len(props) == 5 and props[4]["fillingLevel"] == pytest.approx(0.8)
    assert any(p["forecastFillingLevel"] is not None for p in props)


async def _sql(dsn: str, query: str, *args: object) -> None:
    conn = await asyncpg.connect(dsn)
    await conn.execute(query, *args)
    await conn.close()


def _wait(client: TestClient, job_id: str, h: dict[str, str]) -> tuple[dict, list[float]]:
    seen = []
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        j = client.get(f"/planner/jobs/{job_id}", headers=h).json()
        seen.append(j["progress"])
        if j["status"] in ("done", "failed"):
            break
        time.sleep(0.5)
    return j, seen


@pytest.mark.slow
def test_plan_job_runs_with_progress(client: TestClient, seeded: Seed) -> None:
    """Generating a plan runs as a job whose progress can be polled to the end."""
    h = login(client, "planner")
    r = client.post(
        "/planner/plans", json={"plan_date": "2024-03-19", "time_limit_s": 2}, headers=h
    )
    assert r.status_code == 202
    j, seen = _wait(client, r.json()["job_id"], h)
    assert j["status"] == "done", j
    assert seen == sorted(seen) and j["result"]["plan_id"] > seeded.plan_id


@pytest.mark.slow
def test_forced_bins_plan_with_trucks_that_have_no_weight_limit_on_file(
    client: TestClient, seeded: Seed
) -> None:
    """The fixture's trucks have no capacity_kg (0: no limit known): a bin forced in is planned,
    not refused as too heavy for every truck."""
    h = login(client, "planner")
    day = "2024-03-21"
    assert client.put(f"/planner/overrides/{day}/bin-004", json={"mode": "include"}, headers=h)
    r = client.post("/planner/plans", json={"plan_date": day, "time_limit_s": 2}, headers=h)
    j, _ = _wait(client, r.json()["job_id"], h)
    assert j["status"] == "done", j
    plan = client.get(f"/planner/plans/{j['result']['plan_id']}", headers=h).json()
    assert "bin-004" in {s["bin_id"] for route in plan["routes"] for s in route["stops"]}
    client.delete(f"/planner/overrides/{day}/bin-004", headers=h)


@pytest.mark.slow
def test_replan_job_starts_from_gps_and_leaves_out_emptied_bins(
    client: TestClient, seeded: Seed
) -> None:
    """replan=true with a time re-plans the current plan as a job: the truck with a fresh fix
    starts there, the bin reported emptied is left out, and the re-plan becomes current."""
    h = login(client, "planner")
    day = today(COPENHAGEN.timezone)
    asyncio.run(_sql(seeded.dsn, "UPDATE vehicles SET capacity_kg = 3000"))  # fixture has none
    for b in ("bin-001", "bin-002", "bin-003"):
        client.put(f"/planner/overrides/{day}/{b}", json={"mode": "include"}, headers=h)
    r = client.post("/planner/plans", json={"plan_date": str(day), "time_limit_s": 2}, headers=h)
    j, _ = _wait(client, r.json()["job_id"], h)
    assert j["status"] == "done" and j["result"]["status"] == "accepted", j
    first = j["result"]["plan_id"]
    plan = client.get(f"/planner/plans/{first}", headers=h).json()
    route = max(plan["routes"], key=lambda x: len(x["stops"]))
    truck, stop = route["vehicle_id"], route["stops"][1]
    now = datetime.combine(day, dtime(9, 0), tzinfo=TZ)

    async def drive() -> None:
        conn = await asyncpg.connect(seeded.dsn)
        await report_stop(conn, first, truck, stop["seq"], "emptied", reported_at=now)
        await conn.close()

    asyncio.run(drive())
    asyncio.run(
        _sql(
            seeded.dsn,
            "UPDATE vehicle_state SET observed_at = $2, lon = $3, lat = $4 WHERE vehicle_id = $1",
            truck,
            now - timedelta(minutes=3),
            stop["lon"],
            stop["lat"],
        )
    )
    r = client.post(
        "/planner/plans",
        headers=h,
        json={"plan_date": str(day), "time_limit_s": 2, "replan": True, "now": now.isoformat()},
    )
    assert r.status_code == 202 and r.json()["kind"] == "replan"
    j, seen = _wait(client, r.json()["job_id"], h)
    assert j["status"] == "done", j
    res = j["result"]
    assert seen == sorted(seen) and res["status"] == "accepted"
    assert res["replan_of"] == first and res["replanned_at"] == now.isoformat()
    assert res["truck_starts"][truck] == "gps" and res["emptied"] == 1
    current = client.get("/planner/plans/current", params={"day": str(day)}, headers=h).json()
    assert current["plan_id"] == res["plan_id"]
    new = client.get(f"/planner/plans/{res['plan_id']}", headers=h).json()
    bins = [s["bin_id"] for r in new["routes"] for s in r["stops"] if s["bin_id"]]
    assert stop["bin_id"] not in bins
    assert {"bin-001", "bin-002", "bin-003"} - {stop["bin_id"]} <= set(bins)
    start = next(r for r in new["routes"] if r["vehicle_id"] == truck)["stops"][0]
    assert (start["lon"], start["lat"]) == (stop["lon"], stop["lat"])
