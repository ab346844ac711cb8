"""Login users of the least-privilege group roles (migration 0011): ``city-db logins``.

A deployment runs it as the database owner after ``city-db migrate``; each service then connects
as the login of its role (docker-compose.yml): the consumers as ``cityops_ingest_svc`` and the
API, the plan workers and the scheduled jobs as ``cityops_api_svc``. Idempotent: an existing
login gets the password given now (rotation) and its membership again.
"""

from __future__ import annotations

import asyncpg

# login user -> the group role whose privileges it gets
LOGINS = {"cityops_ingest_svc": "cityops_ingest", "cityops_api_svc": "cityops_api"}


async def ensure_login(conn: asyncpg.Connection, user: str, group: str, password: str) -> bool:
    """Create ``user`` (LOGIN, in ``group``) or reset its password; True if it was created."""
    if user not in LOGINS or LOGINS[user] != group:
        raise ValueError(f"unknown login {user!r} for role {group!r}")
    if len(password) < 16:
        raise ValueError(f"the password of {user} must have at least 16 characters")
    if not await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", group):
        raise ValueError(f"role {group} does not exist: run `city-db migrate` first")
    exists = bool(await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", user))
    verb = "ALTER ROLE %I WITH LOGIN PASSWORD %L" if exists else "CREATE ROLE %I LOGIN PASSWORD %L"
    statement = await conn.fetchval(
        "SELECT format($1::text, $2::text, $3::text)", verb, user, password
    )
    grant = await conn.fetchval("SELECT format('GRANT %I TO %I', $1::text, $2::text)", group, user)
    async with conn.transaction():
        await conn.execute(statement)
        await conn.execute(grant)
    return not exists
