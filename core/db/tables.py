"""Whole-table operations for jobs and benchmarks: row counts and emptying tables by name
(adapter: PostgreSQL). Names are checked to be plain identifiers before they reach SQL."""

from __future__ import annotations

import re
from collections.abc import Sequence

import asyncpg

_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def _checked(tables: Sequence[str]) -> list[str]:
    bad = [t for t in tables if not _NAME.match(t)]
    if bad:
        raise ValueError(f"not a table name: {', '.join(map(repr, bad))}.")
    return list(tables)


async def row_counts(conn: asyncpg.Connection, tables: Sequence[str]) -> dict[str, int]:
    """The number of rows of each of ``tables``, in the order given."""
    return {
        t: int(await conn.fetchval(f"SELECT count(*) FROM {t}"))  # noqa: S608
        for t in _checked(tables)
    }


async def ingested_row_counts(conn: asyncpg.Connection, tables: Sequence[str]) -> dict[str, int]:
    """Rows of history tables that came from the broker (``src_partition >= 0``: not the fill
    readings written from drivers' stop reports), per table in the order given."""
    return {
        t: int(await conn.fetchval(f"SELECT count(*) FROM {t} WHERE src_partition >= 0"))  # noqa: S608
        for t in _checked(tables)
    }


async def truncate(conn: asyncpg.Connection, tables: Sequence[str]) -> None:
    """Empty ``tables`` in one statement (a benchmark's clean start)."""
    if tables:
        await conn.execute(f"TRUNCATE {', '.join(_checked(tables))}")
