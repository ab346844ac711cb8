"""POST /api/admin/import: planners and admins import inventory files through the API, with the
same whole-file validation as `city-admin import` (422 with every row's error, nothing
written), audited under their user name; drivers may not."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import Seed, login

pytestmark = pytest.mark.integration

HEADER = "bin_id,lon,lat,street,district,capacity_l\n"
GOOD = HEADER + "bin-000,12.57,55.675,Gade 0,,240\nnew-1,12.58,55.68,Ny,,110\n"
BAD = HEADER + "new-2,12.58,55.68,Ny,,0\n,12.58,55.68,Ny,,110\n"


def _fetch(dsn: str, sql: str) -> list[asyncpg.Record]:
    async def go() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(dsn)
        try:
            return await conn.fetch(sql)
        finally:
            await conn.close()

    return asyncio.run(go())


def _post(client: TestClient, headers: dict[str, str], text: str, **params: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/admin/import",
        params={"kind": "bins", **params},
        files={"file": ("bins.csv", text.encode(), "text/csv")},
        headers=headers,
    )


def test_a_bad_file_is_refused_with_every_error_and_nothing_written(
    client: TestClient, seeded: Seed
) -> None:
    r = _post(client, login(client, "planner"), BAD)
    assert r.status_code == 422
    body = r.json()
    assert body["ok"] is False
    assert [(e["line"], e["id"], e["reason"]) for e in body["errors"]] == [
        (2, "new-2", "capacity_l must be positive (got 0)"),
        (3, "", "bin_id is missing"),
    ]
    assert _fetch(seeded.dsn, "SELECT count(*) FROM bins WHERE bin_id LIKE 'new-%'")[0][0] == 0
    assert _fetch(seeded.dsn, "SELECT count(*) FROM audit_log")[0][0] == 0


def test_unreadable_uploads_are_4xx(client: TestClient) -> None:
    headers = login(client, "planner")
    for name, data in (
        ("x.gpkg", b"\x00\x01garbage"),
        ("x.geojson", b"{not json"),
        ("x", b"\xff\xfe"),
    ):
        r = client.post(
            "/api/admin/import",
            params={"kind": "vehicles"},
            files={"file": (name, data, "application/octet-stream")},
            headers=headers,
        )
        assert r.status_code == 422, (name, r.text)
        assert r.json()["errors"]


def test_dry_run_then_import_by_a_planner(client: TestClient, seeded: Seed) -> None:
    headers = login(client, "planner")
    dry = _post(client, headers, GOOD, dry_run="true")
    assert dry.status_code == 200, dry.text
    assert (dry.json()["created"], dry.json()["updated"]) == (1, 1)
    assert _fetch(seeded.dsn, "SELECT count(*) FROM bins WHERE bin_id = 'new-1'")[0][0] == 0
    done = _post(client, headers, GOOD, retire_missing="true")
    assert done.status_code == 200, done.text
    assert done.json()["retired"] == ["bin-001", "bin-002", "bin-003", "bin-004"]
    live = _fetch(seeded.dsn, "SELECT bin_id, capacity_l FROM bins WHERE retired_at IS NULL")
    assert sorted(tuple(r) for r in live) == [("bin-000", 240.0), ("new-1", 110.0)]
    (entry,) = _fetch(seeded.dsn, "SELECT actor, action, target FROM audit_log")
    assert tuple(entry) == ("planner", "inventory.import", "bins")


def test_drivers_may_not_import(client: TestClient) -> None:
    assert _post(client, login(client, "driver1"), GOOD).status_code == 403
