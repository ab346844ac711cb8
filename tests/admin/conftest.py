"""Fixtures for the admin commands: a migrated database named by DATABASE_URL, and helpers to
run the command and read tables."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import asyncpg
import pytest

from admin.cli import main

T = TypeVar("T")


@pytest.fixture
def admin_db(database: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh migrated database as DATABASE_URL, Copenhagen as the city; returns the DSN."""
    monkeypatch.setenv("DATABASE_URL", database)
    monkeypatch.setenv("CITYOPS_CITY", "copenhagen")
    monkeypatch.delenv("CITYOPS_ENVIRONMENT", raising=False)
    return database


def with_conn(dsn: str, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
    async def go() -> T:
        conn = await asyncpg.connect(dsn)
        try:
            return await work(conn)
        finally:
            await conn.close()

    return asyncio.run(go())


def rows(dsn: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    return with_conn(dsn, lambda c: c.fetch(sql, *args))


def city_admin(*argv: str) -> int:
    return main([str(a) for a in argv])
