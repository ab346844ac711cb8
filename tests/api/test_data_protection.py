"""Privacy in operation: the DPO reads the access log, a driver (or the DPO for them) exports
their personal data, and retention runs on a schedule inside the API."""

from __future__ import annotations

import asyncio
import csv
import io
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.ratelimit import RateLimit
from api.security import hash_password
from core.db.fleet import read_traces
from core.db.ingest_tables import GPS, BatchWriter
from core.db.plan_jobs import enqueue
from core.db.stop_reports import report_stop
from core.db.users import create_user
from core.db.vehicle_state import latest_positions
from core.domain import VehicleKind
from core.records import GpsFix
from core.users import Role, User
from tests.api.conftest import PASSWORD, Seed, login
from tests.api.conftest import test_settings as api_settings

pytestmark = pytest.mark.integration

NOW = datetime.now(UTC).replace(microsecond=0)


async def _privacy_seed(dsn: str, plan_id: int) -> None:
    """A DPO; an hour of GPS for both trucks; driver1's report; three logged reads by the
    planner: truck-a's live position, truck-b's history, every waste truck's live position."""
    conn = await asyncpg.connect(dsn)
    try:
        await create_user(conn, User("dpo", hash_password(PASSWORD), Role.DPO))
        fixes = [
            GpsFix(v, NOW - timedelta(minutes=m), 12.57, 55.67, 15.0, 45.0)
            for v in ("truck-a", "truck-b")
            for m in (50, 40, 30)
        ]
        await BatchWriter(conn, GPS).write([GPS.row(f, 0, i) for i, f in enumerate(fixes)])
        await report_stop(conn, plan_id, "truck-a", 1, "emptied", 0.8, reported_at=NOW)
        await latest_positions(conn, "planner", "replan", vehicle_ids=["truck-a"])
        await read_traces(
            conn,
            NOW - timedelta(hours=2),
            NOW,
            "planner",
            "proof_of_service",
            vehicle_ids=["truck-b"],
        )
        await latest_positions(
            conn, "planner", "live operations view", kind=VehicleKind.WASTE_TRUCK
        )
    finally:
        await conn.close()


@pytest.fixture
def pclient(app_factory, seeded: Seed) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    asyncio.run(_privacy_seed(seeded.dsn, seeded.plan_id))
    with TestClient(app_factory()) as c:
        yield c


def _fetch(dsn: str, sql: str) -> list[asyncpg.Record]:
    async def go() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(dsn)
        try:
            return list(await conn.fetch(sql))
        finally:
            await conn.close()

    return asyncio.run(go())


def test_only_the_dpo_reads_the_access_log(pclient: TestClient) -> None:
    assert pclient.get("/dpo/access-log").status_code == 401
    for who in ("planner", "driver1"):
        r = pclient.get("/dpo/access-log", headers=login(pclient, who))
        assert r.status_code == 403, who


def test_dpo_sees_who_read_whose_positions_when_and_why(pclient: TestClient, seeded: Seed) -> None:
    """All three reads, with actor, purpose and scope; filtered on truck-a: its own read and the
    read of every waste truck, not truck-b's history. The read is in the audit log."""
    h = login(pclient, "dpo")
    r = pclient.get("/dpo/access-log", headers=h)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["truncated"] is False
    got = [(e["actor"], e["purpose"], e["resource"], e["scope"]) for e in body["entries"]]
    assert got == [
        ("planner", "replan", "vehicle_state", "vehicles truck-a"),
        ("planner", "proof_of_service", "gps_fixes", "vehicles truck-b"),
        (
            "planner",
            "live operations view",
            "vehicle_state",
            f"every vehicle of kind {VehicleKind.WASTE_TRUCK.value}",
        ),
    ]
    mine = pclient.get("/dpo/access-log", params={"vehicle_id": "truck-a"}, headers=h).json()
    assert [e["purpose"] for e in mine["entries"]] == ["replan", "live operations view"]
    sweeper = pclient.get("/dpo/access-log", params={"vehicle_id": "sweeper-1"}, headers=h).json()
    assert sweeper["entries"] == []

    first = body["entries"][0]["at"]
    later = pclient.get("/dpo/access-log", params={"until": first}, headers=h).json()
    assert later["entries"] == []
    one = pclient.get("/dpo/access-log", params={"limit": 1}, headers=h).json()
    assert len(one["entries"]) == 1 and one["truncated"] is True
    bad = pclient.get("/dpo/access-log", params={"since": first, "until": first}, headers=h)
    assert bad.status_code == 422

    audit = _fetch(seeded.dsn, "SELECT actor, action, target FROM audit_log ORDER BY id")
    assert [tuple(a) for a in audit][:2] == [
        ("dpo", "access_log.read", ""),
        ("dpo", "access_log.read", "truck-a"),
    ]


def test_driver_exports_own_data_and_the_export_is_logged(
    pclient: TestClient, seeded: Seed
) -> None:
    """driver1 gets truck-a's fixes, live position and report -- nothing of truck-b -- and the
    export leaves an access_log row naming driver1 as actor and subject."""
    r = pclient.get("/privacy/export", headers=login(pclient, "driver1"))
    assert r.status_code == 200, r.text
    x = r.json()
    assert (x["username"], x["role"], x["vehicle_ids"]) == ("driver1", "driver", ["truck-a"])
    assert len(x["positions"]) == 3 and {p["vehicle_id"] for p in x["positions"]} == {"truck-a"}
    assert [p["vehicle_id"] for p in x["current_positions"]] == ["truck-a"]
    assert [(s["vehicle_id"], s["seq"], s["status"]) for s in x["stop_reports"]] == [
        ("truck-a", 1, "emptied")
    ]
    assert x["retention_days"] == 30
    rows = _fetch(
        seeded.dsn,
        "SELECT actor, purpose, detail FROM access_log WHERE resource = 'subject_export'",
    )
    assert [(a["actor"], a["purpose"]) for a in rows] == [
        ("driver1", "data subject access request (own data)")
    ]
    assert '"subject": "driver1"' in rows[0]["detail"]


def test_only_the_dpo_exports_someone_else(pclient: TestClient, seeded: Seed) -> None:
    """driver1 and the planner get 403 for driver2's data; the DPO gets it as CSV, logged with
    the DPO as actor; an unknown user is 404; the DPO then sees the export in the access log."""
    url = "/privacy/subjects/driver2/export"
    for who in ("driver1", "planner"):
        assert pclient.get(url, headers=login(pclient, who)).status_code == 403
    h = login(pclient, "dpo")
    r = pclient.get(url, params={"format": "csv"}, headers=h)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert rows[0]["record"].startswith("account driver2")
    positions = [row for row in rows if row["record"] == "position"]
    assert len(positions) == 3 and {p["vehicle_id"] for p in positions} == {"truck-b"}
    assert [row["record"] for row in rows].count("current_position") == 1
    window = {"since": (NOW - timedelta(minutes=45)).isoformat()}
    part = pclient.get(url, params=window, headers=h).json()
    assert len(part["positions"]) == 2

    assert pclient.get("/privacy/subjects/nobody/export", headers=h).status_code == 404
    logged = pclient.get("/dpo/access-log", params={"vehicle_id": "truck-b"}, headers=h).json()
    exports = [e for e in logged["entries"] if e["resource"] == "subject_export"]
    assert [(e["actor"], e["detail"]["subject"]) for e in exports] == [
        ("dpo", "driver2"),
        ("dpo", "driver2"),
    ]
    assert exports[0]["purpose"].startswith("data subject request")


def test_a_planners_export_lists_the_plan_jobs_they_asked_for(
    pclient: TestClient, seeded: Seed
) -> None:
    """plan_jobs.owner is personal data too: the planner's export (JSON and CSV) lists their
    job, and nobody else's export does."""

    async def enqueue_one() -> str:
        conn = await asyncpg.connect(seeded.dsn)
        try:
            return (await enqueue(conn, "plan", "planner", {"date": "2026-01-05"})).job_id
        finally:
            await conn.close()

    job_id = asyncio.run(enqueue_one())
    h = login(pclient, "dpo")
    mine = pclient.get("/privacy/subjects/planner/export", headers=h).json()
    assert [(j["job_id"], j["kind"]) for j in mine["plan_jobs"]] == [(job_id, "plan")]
    text = pclient.get("/privacy/subjects/planner/export", params={"format": "csv"}, headers=h).text
    jobs = [r for r in csv.DictReader(io.StringIO(text)) if r["record"] == "plan_job"]
    assert [(r["job_id"], r["kind"]) for r in jobs] == [(job_id, "plan")]
    other = pclient.get("/privacy/subjects/driver2/export", headers=h).json()
    assert other["plan_jobs"] == []


async def _old_positions(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        old = NOW - timedelta(days=40)
        await BatchWriter(conn, GPS).write(
            [GPS.row(GpsFix("truck-a", old, 12.57, 55.67, 10.0, 0.0), 0, 1)]
        )
        await conn.execute(
            "UPDATE vehicle_state SET observed_at = $1 WHERE vehicle_id = 'sweeper-1'", old
        )
    finally:
        await conn.close()


def test_the_api_runs_retention_on_its_schedule(seeded: Seed, tmp_path: Path) -> None:
    """With CITYOPS_RETENTION_INTERVAL_H set, the API deletes positions older than the window
    by itself: a 40-day-old fix and a vehicle silent for 40 days are gone, today's stay."""
    asyncio.run(_old_positions(seeded.dsn))
    settings = api_settings(tmp_path).model_copy(update={"retention_interval_h": 24.0})
    app = create_app(settings, seeded.dsn, citizen_limit=RateLimit(1000, 1000))
    count = "SELECT count(*) AS n FROM {}"
    with TestClient(app):
        deadline = time.monotonic() + 20
        while _fetch(seeded.dsn, "SELECT 1 FROM vehicle_state WHERE vehicle_id = 'sweeper-1'"):
            assert time.monotonic() < deadline, "retention did not run"
            time.sleep(0.1)
    assert _fetch(seeded.dsn, count.format("gps_fixes"))[0]["n"] == 0
    live = _fetch(seeded.dsn, "SELECT vehicle_id FROM vehicle_state ORDER BY vehicle_id")
    assert [r["vehicle_id"] for r in live] == ["truck-a", "truck-b"]
