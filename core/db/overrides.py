"""Planners' forced inclusions and exclusions of bins per plan date (adapter: PostgreSQL)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import asyncpg

from core.domain import UnknownBin

MODES = ("include", "exclude")


@dataclass(frozen=True, slots=True)
class Override:
    plan_date: date
    bin_id: str
    mode: str
    set_by: str


async def set_override(conn: asyncpg.Connection | asyncpg.Pool, o: Override) -> None:
    """Force ``o.bin_id`` in or out of the plan for ``o.plan_date`` (replacing any earlier one)."""
    if o.mode not in MODES:
        raise ValueError(f"mode must be include or exclude, got {o.mode!r}.")
    try:
        await conn.execute(
            "INSERT INTO bin_overrides (plan_date, bin_id, mode, set_by) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (plan_date, bin_id) DO UPDATE SET mode = EXCLUDED.mode,"
            " set_by = EXCLUDED.set_by, set_at = now()",
            o.plan_date,
            o.bin_id,
            o.mode,
            o.set_by,
        )
    except asyncpg.ForeignKeyViolationError as e:
        raise UnknownBin(f"no bin {o.bin_id!r}") from e


async def clear_override(conn: asyncpg.Connection | asyncpg.Pool, day: date, bin_id: str) -> bool:
    """Remove an override; False if there was none."""
    r = await conn.execute(
        "DELETE FROM bin_overrides WHERE plan_date = $1 AND bin_id = $2", day, bin_id
    )
    return r != "DELETE 0"


async def overrides_for(conn: asyncpg.Connection | asyncpg.Pool, day: date) -> list[Override]:
    rows = await conn.fetch(
        "SELECT plan_date, bin_id, mode, set_by FROM bin_overrides"
        " WHERE plan_date = $1 ORDER BY bin_id",
        day,
    )
    return [Override(r["plan_date"], r["bin_id"], r["mode"], r["set_by"]) for r in rows]
