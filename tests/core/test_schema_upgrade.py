"""Integration: a schema upgrade on a running deployment (docs/operations.md).

A database at an older release (migrations up to 0010) holds data and a consumer keeps writing
into it while `migrate` brings it to the current schema: the writes never fail, nothing is lost,
and the new migrations are applied once.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

import core.db.migrate as migrate_mod
from core.db.ingest_tables import FILL, BatchWriter
from core.db.inventory import save_bins
from core.domain import Bin
from core.records import FillReading

pytestmark = pytest.mark.integration

OLD_RELEASE = 10  # the last migration of the release being upgraded


def test_migrate_upgrades_a_live_database_without_stopping_its_writers(database, monkeypatch):
    latest = migrate_mod.available()[-1][0]
    assert latest > OLD_RELEASE

    async def go() -> None:
        admin = await asyncpg.connect(database)
        writer_conn = await asyncpg.connect(database)
        try:
            # Back to the old release: a fresh database migrated only up to OLD_RELEASE.
            await admin.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            everything = migrate_mod.available
            monkeypatch.setattr(
                migrate_mod, "available", lambda: [m for m in everything() if m[0] <= OLD_RELEASE]
            )
            assert (await migrate_mod.migrate(admin))[-1] == OLD_RELEASE
            monkeypatch.setattr(migrate_mod, "available", everything)
            await save_bins(admin, [Bin("bin-1", 12.56, 55.69, "Jagtvej", "Nørrebro")])

            writer = BatchWriter(writer_conn, FILL)
            t0 = datetime.now(UTC) - timedelta(days=1)
            written = 0
            upgrading = True

            async def keep_writing() -> None:
                nonlocal written
                while upgrading or written < 20:
                    r = FillReading("bin-1", t0 + timedelta(minutes=written), 0.3)
                    result = await writer.write([FILL.row(r, 0, written)])
                    assert result.stored == [0]
                    written += 1
                    await asyncio.sleep(0.01)

            task = asyncio.create_task(keep_writing())
            await asyncio.sleep(0.1)
            applied = await migrate_mod.migrate(admin)
            upgrading = False
            await task
            assert applied == list(range(OLD_RELEASE + 1, latest + 1))
            assert await migrate_mod.migrate(admin) == []  # once only
            assert await admin.fetchval("SELECT count(*) FROM fill_readings") == written
        finally:
            await admin.close()
            await writer_conn.close()

    asyncio.run(go())
