"""Read and write API users (adapter: PostgreSQL). Only password hashes are stored."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from core.users import Role, User


class UserExists(ValueError):
    """A user with that name is already registered."""


async def create_user(conn: asyncpg.Connection, user: User) -> None:
    """Insert ``user``; :class:`UserExists` if the name is taken."""
    try:
        await conn.execute(
            "INSERT INTO users (username, password_hash, role, vehicle_ids, disabled)"
            " VALUES ($1, $2, $3, $4, $5)",
            user.username,
            user.password_hash,
            user.role.value,
            list(user.vehicle_ids),
            user.disabled,
        )
    except asyncpg.UniqueViolationError as e:
        raise UserExists(f"user {user.username!r} already exists") from e


async def upsert_user(conn: asyncpg.Connection, user: User) -> None:
    """Insert or replace ``user`` (demo set-up, administration)."""
    await conn.execute(
        "INSERT INTO users (username, password_hash, role, vehicle_ids, disabled)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (username) DO UPDATE SET"
        " password_hash = EXCLUDED.password_hash, role = EXCLUDED.role,"
        " vehicle_ids = EXCLUDED.vehicle_ids, disabled = EXCLUDED.disabled",
        user.username,
        user.password_hash,
        user.role.value,
        list(user.vehicle_ids),
        user.disabled,
    )


async def get_user(conn: asyncpg.Connection | asyncpg.Pool, username: str) -> User | None:
    """The user called ``username``, or None."""
    r = await conn.fetchrow(
        "SELECT username, password_hash, role, vehicle_ids, disabled FROM users"
        " WHERE username = $1",
        username,
    )
    if r is None:
        return None
    return User(
        r["username"], r["password_hash"], Role(r["role"]), tuple(r["vehicle_ids"]), r["disabled"]
    )


async def list_users(conn: asyncpg.Connection, role: Role | None = None) -> Sequence[User]:
    """All users (optionally of one role), by name."""
    rows = await conn.fetch(
        "SELECT username, password_hash, role, vehicle_ids, disabled FROM users"
        " WHERE $1::text IS NULL OR role = $1 ORDER BY username",
        None if role is None else role.value,
    )
    return [
        User(
            r["username"],
            r["password_hash"],
            Role(r["role"]),
            tuple(r["vehicle_ids"]),
            r["disabled"],
        )
        for r in rows
    ]


async def set_password_hash(conn: asyncpg.Connection, username: str, password_hash: str) -> bool:
    """Replace ``username``'s password hash; False when there is no such user."""
    done = await conn.fetchval(
        "UPDATE users SET password_hash = $2 WHERE username = $1 RETURNING true",
        username,
        password_hash,
    )
    return bool(done)


async def set_disabled(conn: asyncpg.Connection, username: str, disabled: bool) -> bool:
    """Disable (or enable again) ``username``; False when there is no such user."""
    done = await conn.fetchval(
        "UPDATE users SET disabled = $2 WHERE username = $1 RETURNING true", username, disabled
    )
    return bool(done)


async def set_vehicles(conn: asyncpg.Connection, username: str, vehicle_ids: Sequence[str]) -> bool:
    """Replace the vehicles assigned to ``username``; False when there is no such user."""
    done = await conn.fetchval(
        "UPDATE users SET vehicle_ids = $2 WHERE username = $1 RETURNING true",
        username,
        list(vehicle_ids),
    )
    return bool(done)
