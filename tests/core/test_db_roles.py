"""Integration: migration 0011's least-privilege roles on a real PostgreSQL server. A login in
cityops_api uses the tables but cannot change the schema; one in cityops_ingest writes only the
raw history and state (daily GPS partitions included) and reads no users; nobody, the owner
included, updates or deletes the access log or the audit log except through retention."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

import asyncpg
import pytest

from core.db.access_log import log_access
from core.db.audit import write_audit
from core.db.ingest_tables import GPS, BatchWriter
from core.db.migrate import migrate
from core.db.retention import drop_expired_gps, gps_partitions, purge_access_log
from core.records import GpsFix

pytestmark = pytest.mark.integration
NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
DENIED = asyncpg.InsufficientPrivilegeError


def _run(database: str, body: Callable[..., Awaitable[Any]]) -> Any:
    """``body(owner, api, ingest)``: connections as the owner and as fresh login roles in
    cityops_api and cityops_ingest (dropped afterwards)."""

    async def go() -> Any:
        owner = await asyncpg.connect(database)
        tag = uuid.uuid4().hex[:8]
        names = {"api": f"t_api_{tag}", "ingest": f"t_ingest_{tag}"}
        conns: dict[str, asyncpg.Connection] = {}
        try:
            for kind, name in names.items():
                await owner.execute(f"CREATE ROLE {name} LOGIN IN ROLE cityops_{kind}")
                dsn = database.replace("postgres@", f"{name}@", 1)
                assert dsn != database
                conns[kind] = await asyncpg.connect(dsn)
            return await body(owner, conns["api"], conns["ingest"])
        finally:
            for c in conns.values():
                await c.close()
            for name in names.values():
                await owner.execute(f"DROP OWNED BY {name}")
                await owner.execute(f"DROP ROLE {name}")
            await owner.close()

    return asyncio.run(go())


def test_api_role_uses_tables_but_cannot_change_the_schema(database: str) -> None:
    """DML and migrations' checks work; CREATE, ALTER, DROP, TRUNCATE are refused."""

    async def body(owner: Any, api: Any, ingest: Any) -> None:
        await api.execute(
            "INSERT INTO users (username, password_hash, role) VALUES ('tuser', 'x', 'planner')"
        )
        await api.execute("UPDATE users SET disabled = true WHERE username = 'tuser'")
        await api.execute("DELETE FROM users WHERE username = 'tuser'")
        assert await migrate(api) == []  # up to date: nothing to do, no DDL attempted
        for ddl in (
            "CREATE TABLE evil (x int)",
            "ALTER TABLE users ADD COLUMN evil int",
            "ALTER TABLE access_log DISABLE TRIGGER access_log_append_only",
            "DROP TABLE bin_overrides",
            "TRUNCATE plans CASCADE",
            "CREATE INDEX evil ON users (role)",
        ):
            with pytest.raises(DENIED):
                await api.execute(ddl)
        assert await api.fetchval("SELECT to_regclass('evil')") is None

    _run(database, body)


def test_ingest_role_writes_raw_history_only(database: str) -> None:
    """Ingest's batch writer stores GPS (creating the day's partition); users, plans and the
    access log are out of its reach."""

    async def body(owner: Any, api: Any, ingest: Any) -> None:
        fixes = [GpsFix("v1", NOW - timedelta(days=d), 12.56, 55.69, 20.0, 10.0) for d in (1, 2)]
        result = await BatchWriter(ingest, GPS).write(
            [GPS.row(f, 0, i) for i, f in enumerate(fixes)]
        )
        assert len(result.stored) == 2
        assert await owner.fetchval("SELECT count(*) FROM gps_fixes") == 2
        assert await owner.fetchval("SELECT count(*) FROM vehicle_state") == 1
        for sql in (
            "SELECT * FROM users",
            "INSERT INTO users (username, password_hash, role) VALUES ('x', 'x', 'admin')",
            "UPDATE users SET role = 'admin'",
            "SELECT * FROM access_log",
            "INSERT INTO plans (plan_date) VALUES ('2026-01-01')",
            "DELETE FROM gps_fixes",
            "CREATE TABLE evil (x int)",
        ):
            with pytest.raises(DENIED):
                await ingest.execute(sql)
        with pytest.raises(DENIED):  # dropping partitions is the API's retention, not ingest's
            await ingest.execute("SELECT cityops_drop_day_partition('gps_fixes', '2026-11-26')")

    _run(database, body)


def test_api_role_runs_gps_retention(database: str) -> None:
    """The API's scheduled retention drops expired day partitions though it owns none."""

    async def body(owner: Any, api: Any, ingest: Any) -> list[str]:
        fixes = [GpsFix("v1", NOW - timedelta(days=d), 12.56, 55.69, 20.0, 10.0) for d in (1, 40)]
        await BatchWriter(owner, GPS).write([GPS.row(f, 0, i) for i, f in enumerate(fixes)])
        dropped = await drop_expired_gps(api, NOW, 30)
        assert [n for n, _ in await gps_partitions(api)] == ["gps_fixes_20261126"]
        with pytest.raises(asyncpg.InvalidParameterValueError):  # only gps_fixes' partitions
            await api.execute("SELECT cityops_drop_day_partition('users', '2026-11-26')")
        return list(dropped)

    assert _run(database, body) == ["gps_fixes_20261018"]


def test_access_and_audit_logs_are_append_only(database: str) -> None:
    """The API appends and reads; UPDATE, DELETE, TRUNCATE fail for it and for the owner (a
    superuser here) even with the retention switch, except in retention's own path."""

    async def body(owner: Any, api: Any, ingest: Any) -> tuple[int, int]:
        await log_access(api, "planner", "live map", "vehicle_state", {"vehicle_ids": ["v1"]})
        await write_audit(api, "admin", "users.add", "anna")
        for conn in (api, owner):
            for sql in (
                "UPDATE access_log SET actor = 'nobody'",
                "DELETE FROM access_log",
                "TRUNCATE access_log",
                "UPDATE audit_log SET actor = 'nobody'",
                "DELETE FROM audit_log",
            ):
                with pytest.raises(DENIED):
                    await conn.execute(sql)
        async with api.transaction():  # the switch alone does not give the API the privilege
            await api.execute("SELECT set_config('cityops.retention', 'on', true)")
            with pytest.raises(DENIED):
                await api.execute("DELETE FROM access_log")
        await log_access(api, "planner", "live map", "vehicle_state")
        deleted = await purge_access_log(owner, NOW - timedelta(days=365))
        return deleted, int(await api.fetchval("SELECT count(*) FROM access_log"))

    assert _run(database, body) == (0, 2)  # both rows are recent: the purge keeps them


def test_purge_deletes_only_rows_before_the_cut(database: str) -> None:
    """Retention's path deletes old access-log rows and nothing newer."""

    async def go() -> tuple[int, int]:
        conn = await asyncpg.connect(database)
        try:
            await log_access(conn, "planner", "live map", "vehicle_state")
            await log_access(conn, "planner", "live map", "vehicle_state")
            later = datetime.now(UTC) + timedelta(days=1)
            earlier = datetime.now(UTC) - timedelta(days=1)
            none = await purge_access_log(conn, earlier)
            both = await purge_access_log(conn, later)
            return none, both
        finally:
            await conn.close()

    assert asyncio.run(go()) == (0, 2)


def test_roles_migration_applies_twice(database: str) -> None:
    """0011 runs again on a migrated database (roles, functions, triggers, grants exist)."""
    sql = resources.files("core.db").joinpath("migrations/0011_db_roles.sql").read_text()

    async def go() -> None:
        conn = await asyncpg.connect(database)
        try:
            async with conn.transaction():
                await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(go())
