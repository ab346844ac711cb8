"""The access log of personal data: every read of drivers' positions leaves one row saying who
read what and why (GDPR accountability). Callers write it in the transaction of the read."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import asyncpg


async def log_access(
    conn: asyncpg.Connection,
    actor: str,
    purpose: str,
    resource: str,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Record that ``actor`` reads ``resource`` for ``purpose``; ValueError (nothing written)
    when the actor or the purpose is empty."""
    if not actor.strip() or not purpose.strip():
        raise ValueError(f"reading {resource} needs an actor and a purpose.")
    await conn.execute(
        "INSERT INTO access_log (actor, purpose, resource, detail) VALUES ($1, $2, $3, $4)",
        actor,
        purpose,
        resource,
        json.dumps(dict(detail or {})),
    )
