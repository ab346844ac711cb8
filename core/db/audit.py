"""The append-only audit log of admin actions (adapter: PostgreSQL, table ``audit_log``,
migration 0007): user administration and inventory imports, from the command line
(actor ``cli:<os user>``) and the API (actor: the user name). Write it in the action's
transaction so that an action and its record stand or fall together."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import asyncpg


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One recorded admin action."""

    id: int
    at: datetime
    actor: str
    action: str
    target: str
    details: dict[str, object]


async def write_audit(
    conn: asyncpg.Connection | asyncpg.Pool,
    actor: str,
    action: str,
    target: str = "",
    details: Mapping[str, object] | None = None,
) -> int:
    """Record ``action`` by ``actor`` on ``target``; returns the entry's id. ValueError when the
    actor or the action is empty. Never put a password or a hash in ``details``."""
    if not actor or not action:
        raise ValueError("an audit entry needs an actor and an action.")
    entry_id: int = await conn.fetchval(
        "INSERT INTO audit_log (actor, action, target, details) VALUES ($1, $2, $3, $4::jsonb)"
        " RETURNING id",
        actor,
        action,
        target,
        json.dumps(dict(details or {}), default=str),
    )
    return entry_id


async def audit_entries(
    conn: asyncpg.Connection | asyncpg.Pool, action: str | None = None, limit: int = 100
) -> list[AuditEntry]:
    """The newest entries first (only ``action``'s when given)."""
    rows = await conn.fetch(
        "SELECT id, at, actor, action, target, details FROM audit_log"
        " WHERE $1::text IS NULL OR action = $1 ORDER BY id DESC LIMIT $2",
        action,
        limit,
    )
    return [
        AuditEntry(r["id"], r["at"], r["actor"], r["action"], r["target"], json.loads(r["details"]))
        for r in rows
    ]
