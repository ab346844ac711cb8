"""User administration (adapter: PostgreSQL through :mod:`core.db`): add users, disable or
enable them, set passwords, assign drivers to vehicles. Each action and its audit entry are
written in one transaction; passwords are only ever stored as Argon2 hashes and never logged."""

from __future__ import annotations

import re
from collections.abc import Sequence

import asyncpg

from api.security import hash_password_async
from core.db.audit import write_audit
from core.db.inventory import known_ids
from core.db.users import (
    UserExists,
    create_user,
    get_user,
    set_disabled,
    set_password_hash,
    set_vehicles,
)
from core.users import Role, User

USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{2,63}$")  # as the users table checks
MIN_PASSWORD = 10


class AdminError(ValueError):
    """An administration request that cannot be carried out; the message says why."""


def check_username(username: str) -> str:
    if not USERNAME.match(username):
        raise AdminError(
            f"user name {username!r}: 3 to 64 characters, lower-case letters, digits and"
            " . _ - (starting with a letter or digit)"
        )
    return username


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AdminError(f"a password needs at least {MIN_PASSWORD} characters")
    if password != password.strip():
        raise AdminError("a password must not start or end with white space")
    return password


async def _vehicles(conn: asyncpg.Connection, vehicle_ids: Sequence[str]) -> tuple[str, ...]:
    """The ids, once each, in order; AdminError naming those not in service."""
    wanted = tuple(dict.fromkeys(v.strip() for v in vehicle_ids if v.strip()))
    in_service = await known_ids(conn, "gps")
    unknown = [v for v in wanted if v not in in_service]
    if unknown:
        raise AdminError(f"no vehicle in service with id {', '.join(unknown)}")
    return wanted


async def _user(conn: asyncpg.Connection, username: str) -> User:
    user = await get_user(conn, username)
    if user is None:
        raise AdminError(f"no user {username!r}")
    return user


async def add_user(
    conn: asyncpg.Connection,
    username: str,
    role: Role,
    password: str,
    actor: str,
    vehicle_ids: Sequence[str] = (),
) -> User:
    """Create a user (the first admin of an empty database too)."""
    check_username(username)
    check_password(password)
    async with conn.transaction():
        vehicles = await _vehicles(conn, vehicle_ids)
        if vehicles and role is not Role.DRIVER:
            raise AdminError("only drivers are assigned vehicles")
        user = User(username, await hash_password_async(password), role, vehicles)
        try:
            await create_user(conn, user)
        except UserExists as e:
            raise AdminError(str(e)) from e
        details = {"role": role.value, "vehicles": list(vehicles)}
        await write_audit(conn, actor, "users.add", username, details)
    return user


async def set_password(conn: asyncpg.Connection, username: str, password: str, actor: str) -> None:
    """Give ``username`` a new password (tokens already issued stay valid until they expire)."""
    check_password(password)
    async with conn.transaction():
        await _user(conn, username)
        await set_password_hash(conn, username, await hash_password_async(password))
        await write_audit(conn, actor, "users.passwd", username)


async def set_enabled(conn: asyncpg.Connection, username: str, enabled: bool, actor: str) -> None:
    """Disable a user (log-in and every token refused at once) or enable them again."""
    async with conn.transaction():
        await _user(conn, username)
        await set_disabled(conn, username, not enabled)
        await write_audit(conn, actor, "users.enable" if enabled else "users.disable", username)


async def assign_vehicles(
    conn: asyncpg.Connection, username: str, vehicle_ids: Sequence[str], actor: str
) -> tuple[str, ...]:
    """Assign a driver to exactly ``vehicle_ids`` (vehicles in service; replaces the previous
    assignment); returns them."""
    async with conn.transaction():
        user = await _user(conn, username)
        if user.role is not Role.DRIVER:
            raise AdminError(f"{username} is a {user.role.value}: only drivers are assigned")
        vehicles = await _vehicles(conn, vehicle_ids)
        await set_vehicles(conn, username, vehicles)
        details = {"vehicles": list(vehicles), "before": list(user.vehicle_ids)}
        await write_audit(conn, actor, "users.assign", username, details)
    return vehicles
