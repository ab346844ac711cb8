"""Demo users (printed passwords) exist only in the demo: refused in production and on a
database that has an admin, i.e. a city onboarded with `city-admin`."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest

from api.security import hash_password
from api.serve import DemoUsersRefused, create_demo_users
from core.db.users import create_user, list_users
from core.settings import Settings
from core.users import Role, User

pytestmark = pytest.mark.integration
SECRET = "test-secret-0123456789-0123456789-abcdef"


def _users(dsn: str) -> list[str]:
    async def go() -> list[str]:
        conn = await asyncpg.connect(dsn)
        try:
            return [u.username for u in await list_users(conn)]
        finally:
            await conn.close()

    return asyncio.run(go())


def test_demo_users_only_in_the_demo(database: str, tmp_path: Path) -> None:
    prod = Settings(
        environment="production",
        jwt_secret=SECRET,  # type: ignore[arg-type]
        pseudonym_key=SECRET,  # type: ignore[arg-type]
        state_dir=tmp_path,
    )
    with pytest.raises(DemoUsersRefused, match="production"):
        asyncio.run(create_demo_users(prod, database))
    assert _users(database) == []

    dev = Settings(environment="development", jwt_secret=SECRET, state_dir=tmp_path)  # type: ignore[arg-type]
    made = asyncio.run(create_demo_users(dev, database, n_drivers=1))
    assert [u.username for u in made] == ["planner"]  # no trucks registered: no drivers

    async def add_admin() -> None:
        conn = await asyncpg.connect(database)
        try:
            await create_user(conn, User("city-admin", hash_password("x" * 12), Role.ADMIN))
        finally:
            await conn.close()

    asyncio.run(add_admin())
    with pytest.raises(DemoUsersRefused, match="admins"):
        asyncio.run(create_demo_users(dev, database))
