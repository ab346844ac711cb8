"""What an inventory import reads and writes besides the plain saves of
:mod:`core.db.inventory` (adapter: PostgreSQL, migration 0008): stored ids and whether they are
retired, site roles, depots in use, retiring what a file no longer lists, and the sensors
mounted on bins (table ``sensors``: one bin per sensor at a time, with its period, so a replaced
sensor's readings stay with the bin it was on)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

# Inventory tables and their id columns; ``sites`` holds depots and disposal sites by role.
TABLES = {"bins": "bin_id", "vehicles": "vehicle_id", "sites": "site_id"}
TABLES["parking_sites"] = "site_id"


def _id_column(table: str) -> str:
    if table not in TABLES:
        raise ValueError(f"not an inventory table: {table!r}.")
    return TABLES[table]


async def stored_ids(conn: asyncpg.Connection, table: str, role: str = "") -> dict[str, bool]:
    """Every stored id of ``table`` (sites: of ``role``) → whether it is retired."""
    col = _id_column(table)
    sql = f"SELECT {col}, retired_at IS NOT NULL FROM {table}"  # noqa: S608 - names checked
    if table == "sites":
        rows = await conn.fetch(sql + " WHERE role = $1", role)
    else:
        rows = await conn.fetch(sql)
    return {r[0]: r[1] for r in rows}


async def site_roles(conn: asyncpg.Connection) -> dict[str, str]:
    """Every stored site id (retired too) → ``depot`` or ``disposal``."""
    return {r[0]: r[1] for r in await conn.fetch("SELECT site_id, role FROM sites")}


async def depot_vehicles(conn: asyncpg.Connection) -> dict[str, tuple[str, ...]]:
    """Each active depot → the active vehicles that start there (maybe none)."""
    rows = await conn.fetch(
        "SELECT s.site_id, array_remove(array_agg(v.vehicle_id ORDER BY v.vehicle_id), NULL)"
        " FROM sites s LEFT JOIN vehicles v ON v.depot_id = s.site_id AND v.retired_at IS NULL"
        " WHERE s.role = 'depot' AND s.retired_at IS NULL GROUP BY s.site_id"
    )
    return {r[0]: tuple(r[1]) for r in rows}


async def retire(
    conn: asyncpg.Connection, table: str, ids: Sequence[str], role: str = ""
) -> list[str]:
    """Mark ``ids`` of ``table`` (sites: of ``role``) retired now; a retired bin's sensor is
    removed from it. Returns the ids retired (already retired ones are left as they were)."""
    col = _id_column(table)
    sql = f"UPDATE {table} SET retired_at = now() WHERE {col} = ANY($1::text[])"  # noqa: S608
    sql += " AND retired_at IS NULL"
    if table == "sites":
        rows = await conn.fetch(sql + f" AND role = $2 RETURNING {col}", list(ids), role)
    else:
        rows = await conn.fetch(sql + f" RETURNING {col}", list(ids))
    done = sorted(r[0] for r in rows)
    if table == "bins" and done:
        await conn.execute(
            "UPDATE sensors SET removed_at = now() WHERE removed_at IS NULL"
            " AND bin_id = ANY($1::text[])",
            done,
        )
    return done


@dataclass(frozen=True, slots=True)
class SensorChanges:
    """What :func:`mount_sensors` did: mounts opened, and those that replaced another sensor
    on the same bin."""

    mounted: int
    replaced: int


async def mounted_sensors(conn: asyncpg.Connection) -> dict[str, str]:
    """Each bin with a mounted sensor → that sensor's id."""
    rows = await conn.fetch("SELECT bin_id, sensor_id FROM sensors WHERE removed_at IS NULL")
    return {r[0]: r[1] for r in rows}


async def mount_sensors(conn: asyncpg.Connection, sensors: Mapping[str, str]) -> SensorChanges:
    """Mount each bin's sensor (bin id → sensor id) as of now: a bin's other sensor, and the
    sensor's mount on another bin, are removed now; their readings so far stay with the bins
    they were on. Unchanged mounts are left alone. Run inside the import's transaction."""
    bins, ids = list(sensors), [sensors[b] for b in sensors]
    removed = await conn.fetch(
        "UPDATE sensors m SET removed_at = now() FROM unnest($1::text[], $2::text[]) AS w(b, s)"
        " WHERE m.removed_at IS NULL AND (m.bin_id = w.b) <> (m.sensor_id = w.s)"
        " RETURNING m.bin_id",
        bins,
        ids,
    )
    mounted = await conn.fetch(
        "INSERT INTO sensors (sensor_id, bin_id, mounted_at)"
        " SELECT w.s, w.b, now() FROM unnest($1::text[], $2::text[]) AS w(b, s)"
        " WHERE NOT EXISTS (SELECT 1 FROM sensors m WHERE m.removed_at IS NULL"
        " AND m.bin_id = w.b AND m.sensor_id = w.s) RETURNING bin_id",
        bins,
        ids,
    )
    new_on = {r[0] for r in mounted}
    return SensorChanges(len(new_on), len({r[0] for r in removed} & new_on))


async def sensor_history(
    conn: asyncpg.Connection, sensor_id: str
) -> list[tuple[str, datetime, datetime | None]]:
    """(bin id, mounted at, removed at) of every mount of ``sensor_id``, oldest first."""
    rows = await conn.fetch(
        "SELECT bin_id, mounted_at, removed_at FROM sensors WHERE sensor_id = $1"
        " ORDER BY mounted_at",
        sensor_id,
    )
    return [(r[0], r[1], r[2]) for r in rows]


async def lock_inventory(conn: asyncpg.Connection) -> None:
    """Serialise inventory imports until the end of the caller's transaction."""
    await conn.execute("SELECT pg_advisory_xact_lock($1)", _IMPORT_LOCK)


_IMPORT_LOCK = 7_301_008
