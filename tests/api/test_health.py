"""Liveness, readiness and metrics of the API: /healthz without I/O, /readyz on the database's
reachability and schema, /metrics with request latency by route template."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from api.app import create_app
from api.metrics_middleware import UNMATCHED, RequestMetrics
from core.embedded import Endpoints
from tests.api import conftest


def _app(dsn: str, tmp_path: Path) -> FastAPI:
    return create_app(
        conftest.test_settings(tmp_path), dsn, parking_model_path=tmp_path / "none.npz"
    )


def _count(route: str, status: str, method: str = "GET") -> float:
    labels = {"method": method, "route": route, "status": status}
    return REGISTRY.get_sample_value("cityops_api_request_seconds_count", labels) or 0.0


def test_healthz_needs_no_database_and_readyz_waits_for_the_pool(tmp_path: Path) -> None:
    """Before start-up (no pool), /healthz is 200 and /readyz 503 with a reason."""
    client = TestClient(_app("postgresql://nobody@127.0.0.1:1/none", tmp_path))
    assert client.get("/healthz").json() == {"status": "ok"}
    r = client.get("/readyz")
    assert r.status_code == 503
    assert r.json()["status"] == "unavailable" and "starting" in r.json()["reason"]


def test_ready_on_a_migrated_database_and_metrics_by_route(database: str, tmp_path: Path) -> None:
    """A migrated database: /readyz 200; /metrics counts requests by template, not by path."""
    with TestClient(_app(database, tmp_path)) as client:
        assert client.get("/readyz").json() == {"status": "ready"}
        template = "/driver/routes/{vehicle_id}"
        before = _count(template, "401")
        unmatched = _count(UNMATCHED, "404")
        assert client.get("/driver/routes/truck-7").status_code == 401
        assert client.get("/no/such/page").status_code == 404
        r = client.get("/metrics")
        assert r.status_code == 200
        assert "cityops_api_request_seconds_bucket" in r.text
        assert "truck-7" not in r.text and "/no/such/page" not in r.text
        assert _count(template, "401") == before + 1
        assert _count(UNMATCHED, "404") == unmatched + 1


def test_not_ready_before_migrations(endpoints: Endpoints, tmp_path: Path) -> None:
    """A database without the schema: /readyz 503 naming the pending migrations."""
    name = f"t_{uuid.uuid4().hex[:10]}"

    async def create() -> None:
        admin = await asyncpg.connect(endpoints.database_url)
        await admin.execute(f"CREATE DATABASE {name}")
        await admin.close()

    asyncio.run(create())
    dsn = endpoints.database_url.rsplit("/", 1)[0] + "/" + name
    with TestClient(_app(dsn, tmp_path)) as client:
        r = client.get("/readyz")
    assert r.status_code == 503
    assert "migrations not applied" in r.json()["reason"]
    assert "city-db migrate" in r.json()["reason"]


class _DownPool:
    """A pool whose database refuses connections."""

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[object]:
        raise ConnectionRefusedError("connect call failed ('10.0.0.5', 5432)")
        yield  # pragma: no cover


def test_not_ready_when_the_database_is_unreachable(database: str, tmp_path: Path) -> None:
    """Connection refused: 503 with the error's type, never its message (addresses, DSNs)."""
    with TestClient(_app(database, tmp_path)) as client:
        state = client.app.state.api  # type: ignore[attr-defined]
        pool, state.pool = state.pool, _DownPool()
        try:
            r = client.get("/readyz")
        finally:
            state.pool = pool
        assert client.get("/healthz").status_code == 200
    assert r.status_code == 503
    assert r.json()["reason"] == "database unreachable (ConnectionRefusedError)"
    assert "10.0.0.5" not in r.text


def test_a_handler_that_raises_is_counted_as_500() -> None:
    """An exception escaping the app is observed with status 500 under its route template."""
    app = FastAPI()
    app.add_middleware(RequestMetrics)

    @app.get("/boom/{thing}")
    async def boom(thing: str) -> None:
        raise RuntimeError(thing)

    before = _count("/boom/{thing}", "500")
    with pytest.raises(RuntimeError):
        TestClient(app).get("/boom/x1")
    assert _count("/boom/{thing}", "500") == before + 1
