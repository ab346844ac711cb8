"""Database-side figures for load and soak tests (adapter: PostgreSQL): database size, rows
inserted so far (statistics counters, cheap to read while writes go on) and the exact
accounting of ingested rows by their Kafka source coordinates."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from core.db.tables import _checked


async def database_size(conn: asyncpg.Connection) -> int:
    """Bytes on disk of the connected database (tables, indexes, TOAST)."""
    return int(await conn.fetchval("SELECT pg_database_size(current_database())"))


async def inserted_rows(conn: asyncpg.Connection, tables: Sequence[str]) -> dict[str, int]:
    """Rows inserted into each table and its partitions since the statistics were reset.

    From ``pg_stat_user_tables``: approximate while transactions run (counters are flushed about
    once a second), but it costs nothing on a table of millions of rows, unlike ``count(*)``.
    """
    out = {}
    for t in _checked(tables):
        out[t] = int(
            await conn.fetchval(
                "SELECT coalesce(sum(s.n_tup_ins), 0) FROM pg_stat_user_tables s"
                " WHERE s.relid = $1::regclass"
                " OR s.relid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = $1::regclass)",
                t,
            )
        )
    return out


async def source_counts(conn: asyncpg.Connection, table: str) -> tuple[int, int]:
    """Ingested rows of a history table and their distinct Kafka sources (partition, offset)."""
    (t,) = _checked([table])
    row = await conn.fetchrow(
        "SELECT count(*) AS n, count(DISTINCT (src_partition, src_offset)) AS d"  # noqa: S608
        f" FROM {t} WHERE src_partition >= 0"
    )
    assert row is not None
    return int(row["n"]), int(row["d"])


async def stored_among(
    conn: asyncpg.Connection, table: str, sources: Sequence[tuple[int, int]]
) -> int:
    """How many rows of ``table`` came from the given Kafka sources (partition, offset): a
    message both stored and dead-lettered shows up here."""
    (t,) = _checked([table])
    if not sources:
        return 0
    parts, offsets = zip(*sources, strict=True)
    return int(
        await conn.fetchval(
            f"SELECT count(*) FROM {t} h"  # noqa: S608
            " JOIN unnest($1::int[], $2::bigint[]) AS s(p, o)"
            " ON h.src_partition = s.p AND h.src_offset = s.o",
            list(parts),
            list(offsets),
        )
    )


async def table_bytes(conn: asyncpg.Connection, table: str) -> int:
    """Bytes on disk of a table, its partitions, indexes and TOAST."""
    (t,) = _checked([table])
    return int(
        await conn.fetchval(
            "SELECT coalesce(sum(pg_total_relation_size(c)), 0) FROM (SELECT $1::regclass AS c"
            " UNION ALL SELECT inhrelid::regclass FROM pg_inherits"
            " WHERE inhparent = $1::regclass) r",
            t,
        )
    )
