"""Versioned schema migrations: ``migrations/NNNN_name.sql`` applied once each, in order."""

from __future__ import annotations

import logging
import re
from importlib import resources

import asyncpg

log = logging.getLogger(__name__)
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
_LOCK_KEY = 7_301_001  # advisory lock: one migrator at a time


def available() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every bundled migration, by version."""
    found = []
    for entry in resources.files("core.db").joinpath("migrations").iterdir():
        m = _NAME.match(entry.name)
        if m:
            found.append((int(m.group(1)), m.group(2), entry.read_text()))
    found.sort()
    versions = [v for v, _, _ in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"duplicate migration versions: {versions}")
    return found


async def migrate(conn: asyncpg.Connection) -> list[int]:
    """Apply pending migrations in one transaction each; return the versions applied. An up to
    date database needs no DDL, so services whose database role may not change the schema
    (migration 0011) can call it at start-up."""
    if await conn.fetchval("SELECT to_regclass('schema_migrations')") is None:
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version integer PRIMARY KEY, name text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())"
        )
    applied: list[int] = []
    await conn.execute("SELECT pg_advisory_lock($1)", _LOCK_KEY)
    try:
        done = {r["version"] for r in await conn.fetch("SELECT version FROM schema_migrations")}
        for version, name, sql in available():
            if version in done:
                continue
            async with conn.transaction():
                await conn.execute(sql)
                await conn.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", version, name
                )
            log.info("applied migration %04d_%s", version, name)
            applied.append(version)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", _LOCK_KEY)
    return applied
