"""Planner proof-of-service endpoints: compute, read (logged), not-visited, roles, the live map."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from fastapi.testclient import TestClient

from core.db.ingest_tables import GPS, BatchWriter
from core.records import GpsFix
from tests.api.conftest import Seed, login

pytestmark = pytest.mark.integration
T0 = datetime(2024, 3, 18, 6, tzinfo=UTC)  # the seeded plan's start
NOW = "2024-03-18T18:00:00+00:00"


async def _query(dsn: str, sql: str) -> list[Any]:
    conn = await asyncpg.connect(dsn)
    try:
        return [tuple(r) for r in await conn.fetch(sql)]
    finally:
        await conn.close()


def _drive(dsn: str) -> None:
    """truck-a stands a minute at bin-000 at 06:05 UTC; nothing else moves."""
    fixes = [
        GpsFix("truck-a", T0 + timedelta(minutes=5, seconds=5 * k), 12.57, 55.675, 0.0, 0.0)
        for k in range(12)
    ]

    async def go() -> None:
        conn = await asyncpg.connect(dsn)
        await BatchWriter(conn, GPS).write([GPS.row(f, 0, i) for i, f in enumerate(fixes)])
        await conn.close()

    asyncio.run(go())


def _log(dsn: str) -> list[Any]:
    sql = "SELECT actor, purpose, resource FROM access_log WHERE resource <> 'vehicle_state'"
    return asyncio.run(_query(dsn, sql + " ORDER BY id"))


@pytest.fixture
def computed(client: TestClient, seeded: Seed) -> dict[str, Any]:
    """The seeded plan's proof of service computed by the planner at 18:00 UTC."""
    _drive(seeded.dsn)
    url = f"/planner/plans/{seeded.plan_id}/adherence"
    r = client.post(url, json={"now": NOW}, headers=login(client, "planner"))
    assert r.status_code == 200, r.text
    return r.json()


def test_compute_returns_the_summary_and_logs_the_gps_read(
    computed: dict[str, Any], seeded: Seed
) -> None:
    """One of five planned bins is served, four are not visited; GPS read up to now, logged."""
    assert computed["plan_id"] == seeded.plan_id and computed["computed_by"] == "planner"
    t = computed["totals"]
    assert (t["planned"], t["served"], t["missed"]) == (5, 1, 4)
    assert computed["not_visited"] == 4 and computed["vehicles"] == 2
    assert datetime.fromisoformat(computed["gps_until"]) == datetime.fromisoformat(NOW)
    assert computed["params"]["match_radius_m"] == 30.0
    assert _log(seeded.dsn) == [("planner", "proof_of_service", "gps_fixes")]


def test_stored_result_has_trucks_and_visits_and_its_read_is_logged(
    client: TestClient, computed: dict[str, Any], seeded: Seed
) -> None:
    """GET gives per-truck totals and every visit with its service time; the read is logged."""
    h = login(client, "planner")
    r = client.get(f"/planner/plans/{seeded.plan_id}/adherence", headers=h).json()
    assert [t["vehicle_id"] for t in r["trucks"]] == ["truck-a", "truck-b"]
    assert r["trucks"][0]["totals"]["served"] == 1 and r["trucks"][0]["fixes"] == 12
    served = [v for v in r["visits"] if v["outcome"] == "served"]
    assert [v["bin_id"] for v in served] == ["bin-000"] and served[0]["served_at"]
    assert served[0]["disagreement"] == "served_not_reported"
    assert _log(seeded.dsn)[-1] == ("planner", "proof of service review", "plan_adherence")


def test_not_visited_lists_the_missed_bins_by_eta(
    client: TestClient, computed: dict[str, Any], seeded: Seed
) -> None:
    """The not-visited list has the four unserved bins, ETAs passed, with no service times."""
    h = login(client, "planner")
    r = client.get(f"/planner/plans/{seeded.plan_id}/not-visited", headers=h).json()
    assert r["plan_date"] == "2024-03-18"
    assert sorted(b["bin_id"] for b in r["bins"]) == ["bin-001", "bin-002", "bin-003", "bin-004"]
    etas = [b["planned_eta"] for b in r["bins"]]
    assert etas == sorted(etas) and all(b["overdue"] for b in r["bins"])
    assert "served_at" not in r["bins"][0]


def test_drivers_and_anonymous_users_are_refused(client: TestClient, seeded: Seed) -> None:
    """Drivers get 403 and requests without a token 401 on all three endpoints."""
    base = f"/planner/plans/{seeded.plan_id}"
    driver = login(client, "driver1")
    for method, path in (("post", "/adherence"), ("get", "/adherence"), ("get", "/not-visited")):
        assert client.request(method, base + path, headers=driver).status_code == 403
        assert client.request(method, base + path).status_code == 401
    assert _log(seeded.dsn) == []


def test_unknown_plans_missing_results_and_bad_input_are_4xx(
    client: TestClient, seeded: Seed
) -> None:
    """Unknown plan: 404; no result yet: 404 saying so; bad thresholds or times: 400/422."""
    h = login(client, "planner")
    unknown = f"/planner/plans/{seeded.plan_id + 1000}"
    assert client.post(unknown + "/adherence", headers=h).status_code == 404
    assert client.get(unknown + "/adherence", headers=h).status_code == 404
    assert client.get(unknown + "/not-visited", headers=h).status_code == 404
    url = f"/planner/plans/{seeded.plan_id}"
    r = client.get(url + "/not-visited", headers=h)
    assert r.status_code == 404 and "no adherence" in r.json()["detail"]
    for body, code in (
        ({"match_radius_m": -1}, 422),
        ({"stop_speed_kmh": 20, "max_speed_kmh": 10}, 400),
        ({"now": "2024-03-17T12:00:00"}, 400),  # before the plan's day
        ({"now": "0001-01-01T00:00:00"}, 422),
        ({"surprise": 1}, 422),
    ):
        r = client.post(url + "/adherence", json=body, headers=h)
        assert r.status_code == code and r.json()["detail"], (body, r.text)


def test_live_map_shows_visited_and_missed_bins_in_both_languages(
    client: TestClient, computed: dict[str, Any], seeded: Seed
) -> None:
    """The live map draws 1 served and 4 missed bins, in English and Danish; the read is logged."""
    h = login(client, "planner")
    en = client.get("/planner/live", headers=h).text
    assert en.count("visit visit-served") == 1 and en.count("visit visit-missed") == 4
    assert "Proof of service" in en and "1 of 5 bins served" in en and "0 emptied" in en
    da = client.get("/planner/live", params={"lang": "da"}, headers=h).text
    assert '<html lang="da">' in da and "Tømningsbevis" in da and "1 af 5 kurve besøgt" in da
    assert "0 tømt" in da and "ikke besøgt" in da
    assert _log(seeded.dsn)[-1] == ("planner", "live operations view", "plan_adherence")


def test_live_map_without_a_result_says_so(client: TestClient, seeded: Seed) -> None:
    """Before any computation the live map has no proof-of-service layer and says none exists."""
    html = client.get("/planner/live", headers=login(client, "planner")).text
    assert "visit visit-" not in html and "No proof of service computed" in html
