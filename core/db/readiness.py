"""What the API's readiness probe asks the database: is it reachable, are all migrations in."""

from __future__ import annotations

import asyncpg

from core.db.migrate import available


async def pending_migrations(conn: asyncpg.Connection) -> list[int]:
    """Versions of the bundled migrations not applied to this database (all of them on a
    database never migrated)."""
    table = await conn.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL")
    done: set[int] = set()
    if table:
        done = {r["version"] for r in await conn.fetch("SELECT version FROM schema_migrations")}
    return [v for v, _, _ in available() if v not in done]
