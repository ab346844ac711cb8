"""The planners' fleet API and page: aggregates per group, utilisation, unused vehicles, CSV
(safe against formula injection), Danish and English, bad periods refused with a message."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, date, datetime, timedelta

import asyncpg
import pytest
from fastapi.testclient import TestClient

from api.fleet_daily import DailyAggregation, run_once
from api.fleet_texts import negotiate
from api.i18n import Lang
from api.routers.fleet import safe_cell
from core.db.fleet_aggregates import save_day
from core.db.ingest_tables import GPS, BatchWriter
from core.records import GpsFix
from fleet.aggregate_service import aggregate_days
from fleet.aggregate_types import AggregateParams, Cell, DayAggregates, Usage, VehicleDay
from tests.api.conftest import Seed, login

pytestmark = pytest.mark.integration
DAY = date(2024, 3, 18)
T0 = datetime(2024, 3, 18, 8, tzinfo=UTC)  # 09:00 in Copenhagen
Q = {"since": "2024-03-18", "until": "2024-03-18"}


def _store(client: TestClient, seed: Seed) -> DailyAggregation:
    """truck-a drives 10 minutes north through Indre By; the day is aggregated."""
    daily: DailyAggregation = client.app.state.fleet  # type: ignore[attr-defined]

    async def go() -> None:
        conn = await asyncpg.connect(seed.dsn)
        fixes = [
            GpsFix("truck-a", T0 + timedelta(seconds=10 * i), 12.57, 55.676 + 0.0009 * i, 36, 0)
            for i in range(61)
        ]
        await BatchWriter(conn, GPS).write([GPS.row(f, 0, i) for i, f in enumerate(fixes)])
        await aggregate_days(conn, [DAY], daily.job, "test")
        await conn.close()

    asyncio.run(go())
    return daily


@pytest.fixture
def stored(client: TestClient, seeded: Seed) -> DailyAggregation:
    return _store(client, seeded)


def test_aggregates_per_group(client: TestClient, stored: DailyAggregation) -> None:
    """Per kind, hour and vehicle: 10 minutes driving of one waste truck at 09 local."""
    h = login(client, "planner")
    kind = client.get("/api/fleet/aggregates", params={**Q, "group": "kind"}, headers=h).json()
    assert kind["days_computed"] == ["2024-03-18"] and kind["timezone"] == stored.job.timezone
    (row,) = kind["rows"]
    assert row["key"] == "garbageCollection" and row["driving_h"] == pytest.approx(1 / 6, abs=1e-4)
    assert row["km"] > 5 and row["co2_kg"] > 0
    hour = client.get("/api/fleet/aggregates", params={**Q, "group": "hour"}, headers=h).json()
    assert [r["key"] for r in hour["rows"]] == ["9"]
    veh = client.get("/api/fleet/aggregates", params={**Q, "group": "vehicle"}, headers=h).json()
    assert [r["key"][:2] for r in veh["rows"]] == ["v-"]  # a pseudonym, not truck-a
    district = client.get(
        "/api/fleet/aggregates",
        params={**Q, "group": "district", "kind": "streetCleaning"},
        headers=h,
    ).json()
    assert district["rows"] == []


def test_utilisation_and_unused(client: TestClient, stored: DailyAggregation) -> None:
    """truck-a used 10 of its 480 shift minutes; truck-b and sweeper-1 unused, named by id."""
    h = login(client, "planner")
    util = client.get("/api/fleet/utilisation", params=Q, headers=h).json()["vehicles"]
    used = [u for u in util if u["in_use_h"] > 0]
    assert len(util) == 3 and used[0]["utilisation"] == pytest.approx(10 / 480, abs=1e-4)
    unused = client.get("/api/fleet/unused", params=Q, headers=h).json()["vehicles"]
    assert sorted(u["vehicle_id"] for u in unused) == ["sweeper-1", "truck-b"]


@pytest.mark.parametrize(
    ("params", "code", "text"),
    [
        ({"since": "2024-03-19", "until": "2024-03-18"}, 400, "until must not be before since"),
        ({"since": "2020-01-01", "until": "2024-03-18"}, 400, "at most"),
        ({"since": "1900-01-01", "until": "1900-01-02"}, 400, "2000-2100"),
        ({"since": "yesterday"}, 422, "since"),
        ({"group": "bogus"}, 422, "group"),
        ({"kind": "tank"}, 422, "kind"),
    ],
)
def test_bad_queries_are_4xx_with_a_message(
    client: TestClient, seeded: Seed, params: dict[str, str], code: int, text: str
) -> None:
    """Bad periods, groups and kinds are refused with a message saying what is wrong."""
    h = login(client, "planner")
    for url in ("/api/fleet/aggregates", "/api/fleet/aggregates.csv"):
        r = client.get(url, params=params, headers=h)
        assert r.status_code == code and text in r.json()["detail"]


def test_planners_only(client: TestClient, seeded: Seed) -> None:
    """Drivers get 403, anonymous callers 401, on the API and the page."""
    for url in ("/api/fleet/aggregates", "/api/fleet/utilisation", "/api/fleet/unused", "/fleet"):
        assert client.get(url).status_code == 401
        assert client.get(url, headers=login(client, "driver1")).status_code == 403


def test_csv_export_is_safe_against_formula_injection(client: TestClient, seeded: Seed) -> None:
    """A district named like a formula leaves the CSV quoted with a leading apostrophe."""

    async def go() -> None:
        conn = await asyncpg.connect(seeded.dsn)
        u = Usage(1.0, 60.0, 0.0, 0.0, 0.0, 1.0)
        agg = DayAggregates(
            DAY,
            "UTC",
            AggregateParams(),
            (VehicleDay("v-1", "other", 1, u, 3600.0, 60.0),),
            tuple(
                Cell("v-1", "other", name, h, u)
                for h, name in enumerate(['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "\tx", "ok"])
            ),
        )
        await save_day(conn, agg, "test", datetime.now(UTC))
        await conn.close()

    asyncio.run(go())
    r = client.get(
        "/api/fleet/aggregates.csv",
        params={**Q, "group": "district"},
        headers=login(client, "planner"),
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    lines = r.text.splitlines()
    assert lines[0].startswith("district,kind,vehicles,km,")
    firsts = sorted(line.split(",")[0] for line in lines[1:])
    assert all(f.startswith(("'", "\"'")) or f == "ok" for f in firsts), firsts
    assert safe_cell("=1") == "'=1" and safe_cell("\rx") == "'\rx" and safe_cell(-2.0) == -2.0


@pytest.mark.parametrize(
    ("params", "headers", "lang", "words"),
    [
        ({"lang": "en"}, {}, "en", ["Fleet operations", "waste trucks", "Vehicles not used"]),
        ({"lang": "da"}, {}, "da", ["Flådedrift", "skraldebiler", "ikke blev brugt"]),
        ({}, {"Accept-Language": "da-DK,da;q=0.9,en;q=0.5"}, "da", ["Flådedrift"]),
        ({}, {"Accept-Language": "fr,en;q=0.4"}, "en", ["Fleet operations"]),
    ],
)
def test_the_page_in_danish_and_english(
    client: TestClient,
    stored: DailyAggregation,
    params: dict[str, str],
    headers: dict[str, str],
    lang: str,
    words: list[str],
) -> None:
    """The page is in the asked language, draws its charts as inline SVG and loads nothing
    from elsewhere (works offline)."""
    h = {**login(client, "planner"), **headers}
    r = client.get("/fleet", params={**Q, **params}, headers=h)
    assert r.status_code == 200, r.text
    html = r.text
    assert f'<html lang="{lang}">' in html
    for w in words:
        assert w in html
    assert html.count("<svg") >= 4 and 'class="bar"' in html
    assert "truck-b" in html and "sweeper-1" in html  # unused, by id
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "<script" not in html


def test_the_page_without_aggregates_says_so(client: TestClient, seeded: Seed) -> None:
    """A period with nothing computed shows the message, in Danish too."""
    h = login(client, "planner")
    assert "No fleet aggregates" in client.get("/fleet", params=Q, headers=h).text
    assert "ikke gemt flådetal" in client.get("/fleet", params={**Q, "lang": "da"}, headers=h).text


def test_the_daily_run_stores_the_previous_local_day(client: TestClient, seeded: Seed) -> None:
    """Run at 03:00 local on the 19th, the daily job stores the 18th (and fills in no empty
    earlier day); its GPS reads are logged for the job's actor."""
    daily: DailyAggregation = client.app.state.fleet  # type: ignore[attr-defined]

    async def go() -> tuple[list[str], list[str]]:
        pool = await asyncpg.create_pool(seeded.dsn, min_size=1, max_size=2)
        assert pool is not None
        try:
            at = datetime(2024, 3, 19, 2, tzinfo=UTC)  # 03:00 in Copenhagen
            late = DailyAggregation(daily.job, 3, 10_000)
            days = await run_once(pool, late, at)
            actors = [r["actor"] for r in await pool.fetch("SELECT actor FROM access_log")]
            return days, actors
        finally:
            await pool.close()

    days, actors = asyncio.run(go())
    assert days == ["2024-03-18"]
    assert "api:daily-fleet-aggregates" in actors


def test_language_negotiation() -> None:
    """?lang wins; else the best-quality supported language; else English."""
    assert negotiate(Lang.EN, "da") == Lang.EN
    assert negotiate(None, "en-GB;q=0.3, da;q=0.8") == Lang.DA
    assert negotiate(None, "de, fr") == Lang.EN and negotiate(None, None) == Lang.EN
    assert negotiate(None, "da;q=0, en") == Lang.EN
