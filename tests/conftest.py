"""Session fixtures: the real embedded broker and PostgreSQL server for integration tests."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import asyncpg
import pytest
from hypothesis import settings

from core.db.migrate import migrate
from core.embedded import Endpoints, services

# Property tests check behaviour, not speed: hypothesis' per-example deadline (200 ms) only turns
# a busy 2-core CI machine into flaky failures (seen: 347 ms for one example while a benchmark ran).
settings.register_profile("cityops", deadline=None)
settings.load_profile("cityops")


@pytest.fixture(scope="session")
def endpoints() -> Iterator[Endpoints]:
    """A running broker and database server for the whole test session."""
    with services() as e:
        yield e


@pytest.fixture
def database(endpoints: Endpoints) -> str:
    """A fresh, migrated database on the session's server; returns its DSN."""
    name = f"t_{uuid.uuid4().hex[:10]}"

    async def create() -> None:
        admin = await asyncpg.connect(endpoints.database_url)
        await admin.execute(f"CREATE DATABASE {name}")
        await admin.close()
        conn = await asyncpg.connect(endpoints.database_url.rsplit("/", 1)[0] + "/" + name)
        await migrate(conn)
        await conn.close()

    asyncio.run(create())
    return endpoints.database_url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture
def topic_prefix() -> str:
    """A unique prefix so each test has its own topics and consumer groups."""
    return f"t{uuid.uuid4().hex[:8]}"
