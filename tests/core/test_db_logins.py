"""Integration: `city-db logins` creates least-privilege logins that hold their role only."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from core.db.__main__ import main
from core.db.logins import ensure_login

pytestmark = pytest.mark.integration

PASSWORD = "a-long-test-password-1234"


def _as(dsn: str, user: str) -> str:
    """``dsn`` with another user (the embedded server trusts local connections)."""
    scheme, rest = dsn.split("://", 1)
    return f"{scheme}://{user}@{rest.split('@', 1)[1]}"


def test_logins_are_created_idempotently_and_hold_only_their_role(database, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", database)
    monkeypatch.setenv("CITYOPS_DB_INGEST_PASSWORD", PASSWORD)
    monkeypatch.setenv("CITYOPS_DB_API_PASSWORD", PASSWORD + "-api")
    assert main(["logins"]) == 0
    assert main(["logins"]) == 0  # a second run re-passwords, does not fail
    out = capsys.readouterr().out
    assert "cityops_ingest_svc (cityops_ingest): " in out and "password updated" in out

    async def check() -> None:
        ingest = await asyncpg.connect(_as(database, "cityops_ingest_svc"))
        api = await asyncpg.connect(_as(database, "cityops_api_svc"))
        try:
            assert await ingest.fetchval("SELECT pg_has_role('cityops_ingest', 'MEMBER')")
            assert not await ingest.fetchval("SELECT pg_has_role('cityops_api', 'MEMBER')")
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await ingest.fetch("SELECT * FROM users")
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await api.execute("CREATE TABLE t_not_allowed (x int)")
            assert await api.fetchval("SELECT count(*) FROM users") >= 0
        finally:
            await ingest.close()
            await api.close()

    asyncio.run(check())


def test_weak_or_unknown_logins_are_refused(database):
    async def go() -> None:
        conn = await asyncpg.connect(database)
        try:
            with pytest.raises(ValueError, match="16 characters"):
                await ensure_login(conn, "cityops_api_svc", "cityops_api", "short")
            with pytest.raises(ValueError, match="unknown login"):
                await ensure_login(conn, "postgres", "cityops_api", PASSWORD)
        finally:
            await conn.close()

    asyncio.run(go())
