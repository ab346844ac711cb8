"""Bin alerts over the API and on the planners' live map (real database): each kind with its
evidence, the kind filter, planners only, the map's panel, legend and predicted-full times in
English and Danish, and hostile bin ids and street names escaped."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from fastapi.testclient import TestClient

from core.db.ingest_tables import FILL, BatchWriter
from core.db.inventory import save_bins
from core.domain import Bin
from core.records import FillReading
from tests.api.conftest import Seed, login

pytestmark = pytest.mark.integration

NASTY_ID = "bin-`${1}"
NASTY_STREET = "<script>alert(1)</script>`${document.cookie}`"


def _add_alert_data(dsn: str) -> None:
    """bin-002 reports a battery of 5 %; a bin with a hostile id and street name has been silent
    for 20 h. (bin-004 of the seed is at 0.79 rising 1 %/h: full before any next shift.)"""

    async def go() -> None:
        conn = await asyncpg.connect(dsn)
        try:
            await save_bins(conn, [Bin(NASTY_ID, 12.58, 55.68, NASTY_STREET, "Indre By")])
            now = datetime.now(UTC)
            rs = [
                FillReading("bin-002", now - timedelta(minutes=10), 0.4, 9.0, 0.05),
                FillReading(NASTY_ID, now - timedelta(hours=20), 0.3),
            ]
            await BatchWriter(conn, FILL).write([FILL.row(r, 2, i) for i, r in enumerate(rs)])
        finally:
            await conn.close()

    asyncio.run(go())


def test_alerts_list_each_kind_with_its_evidence(client: TestClient, seeded: Seed) -> None:
    _add_alert_data(seeded.dsn)
    h = login(client, "planner")
    body = client.get("/api/alerts", headers=h).json()
    by = {(a["bin_id"], a["kind"]): a for a in body["alerts"]}
    battery = by[("bin-002", "low_battery")]
    assert battery["evidence"]["battery"] == 0.05 and battery["evidence"]["threshold"] == 0.15
    assert "battery 5%" in battery["message"]
    silent = by[(NASTY_ID, "silent_sensor")]
    assert 19.9 < silent["evidence"]["hours_silent"] < 20.5
    assert datetime.fromisoformat(silent["evidence"]["last_reading_at"]) < datetime.now(UTC)
    full = by[("bin-004", "overflow_before_visit")]
    assert full["evidence"]["planned"] is False  # the seed's plan is for a past day
    assert datetime.fromisoformat(full["evidence"]["predicted_full_at"]) < datetime.fromisoformat(
        full["evidence"]["visit_at"]
    )
    assert (
        body["counts"]["low_battery"] == 1 and body["alerts"][0]["kind"] == "overflow_before_visit"
    )
    only = client.get("/api/alerts", params={"kind": "low_battery"}, headers=h).json()
    assert [(a["bin_id"], a["kind"]) for a in only["alerts"]] == [("bin-002", "low_battery")]
    da = client.get("/api/alerts", params={"kind": "low_battery", "lang": "da"}, headers=h).json()
    assert "batteri 5%" in da["alerts"][0]["message"]


def test_alerts_are_for_planners_only(client: TestClient, seeded: Seed) -> None:
    assert client.get("/api/alerts").status_code == 401
    assert client.get("/api/alerts", headers=login(client, "driver1")).status_code == 403
    r = client.get("/api/alerts", params={"kind": "nonsense"}, headers=login(client, "planner"))
    assert r.status_code == 422


def test_live_map_has_the_alert_panel_and_legend_in_both_languages(
    client: TestClient, seeded: Seed
) -> None:
    """The panel lists the alerts and a legend naming each status; the bins' tooltips carry
    their predicted-full time; hostile text reaches the page only escaped."""
    _add_alert_data(seeded.dsn)
    h = login(client, "planner")
    en = client.get("/planner/live", headers=h).text
    assert "<details id='alerts'" in en and "Low battery" in en and "Silent sensor" in en
    assert "Full before its visit" in en and "data-kind='low_battery'" in en
    assert "<details id='legend'>" in en and "below half full" in en and "no reading" in en
    assert "predicted full: " in en and "alert alert-low_battery" in en
    da = client.get("/planner/live", params={"lang": "da"}, headers=h).text
    assert '<html lang="da">' in da and "Advarsler" in da and "Lavt batteri" in da
    assert "Tavs sensor" in da and "Signaturforklaring" in da and "forventes fuld: " in da
    for page in (en, da):
        assert NASTY_STREET not in page and "<script>alert(1)" not in page
        assert "`${" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_bins_geojson_carries_the_predicted_full_time(client: TestClient, seeded: Seed) -> None:
    fc = client.get("/planner/bins.geojson", headers=login(client, "planner")).json()
    props = {f["properties"]["id"]: f["properties"] for f in fc["features"]}
    full = props["bin-004"]["predictedFullAt"]
    assert full is not None and datetime.fromisoformat(full).utcoffset() is not None
