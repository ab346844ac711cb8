"""Read and write the city's inventory: bins, depots/disposal sites, vehicles, parking sites.

Saving an item puts it in service (a retired one comes back); the loads and ingest's registered
ids leave retired items out (migration 0008; ``admin.importer`` retires them).
"""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from core.domain import Bin, ParkingSite, Site, Vehicle, VehicleKind


async def save_bins(conn: asyncpg.Connection, bins: Sequence[Bin]) -> None:
    await conn.executemany(
        "INSERT INTO bins (bin_id, lon, lat, street, district, capacity_l, threshold, service_s)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (bin_id) DO UPDATE SET"
        " lon = EXCLUDED.lon, lat = EXCLUDED.lat, street = EXCLUDED.street,"
        " district = EXCLUDED.district, capacity_l = EXCLUDED.capacity_l,"
        " threshold = EXCLUDED.threshold, service_s = EXCLUDED.service_s, retired_at = NULL",
        [
            (b.bin_id, b.lon, b.lat, b.street, b.district, b.capacity_l, b.threshold, b.service_s)
            for b in bins
        ],
    )


async def save_sites(conn: asyncpg.Connection, sites: Sequence[Site], role: str) -> None:
    await conn.executemany(
        "INSERT INTO sites (site_id, role, name, lon, lat) VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT (site_id) DO UPDATE SET role = EXCLUDED.role, name = EXCLUDED.name,"
        " lon = EXCLUDED.lon, lat = EXCLUDED.lat, retired_at = NULL",
        [(s.site_id, role, s.name, s.lon, s.lat) for s in sites],
    )


async def save_vehicles(conn: asyncpg.Connection, vehicles: Sequence[Vehicle]) -> None:
    await conn.executemany(
        "INSERT INTO vehicles (vehicle_id, kind, depot_id, capacity_l, capacity_kg,"
        " shift_start_h, shift_end_h, co2_g_per_km) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        " ON CONFLICT (vehicle_id) DO UPDATE SET kind = EXCLUDED.kind,"
        " depot_id = EXCLUDED.depot_id, capacity_l = EXCLUDED.capacity_l,"
        " capacity_kg = EXCLUDED.capacity_kg, shift_start_h = EXCLUDED.shift_start_h,"
        " shift_end_h = EXCLUDED.shift_end_h, co2_g_per_km = EXCLUDED.co2_g_per_km,"
        " retired_at = NULL",
        [
            (
                v.vehicle_id,
                v.kind.value,
                v.depot_id,
                v.capacity_l,
                v.capacity_kg,
                v.shift_start_h,
                v.shift_end_h,
                v.co2_g_per_km,
            )
            for v in vehicles
        ],
    )


async def save_parking_sites(conn: asyncpg.Connection, sites: Sequence[ParkingSite]) -> None:
    await conn.executemany(
        "INSERT INTO parking_sites (site_id, name, kind, capacity, lon, lat, street, district)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (site_id) DO UPDATE SET"
        " name = EXCLUDED.name, kind = EXCLUDED.kind, capacity = EXCLUDED.capacity,"
        " lon = EXCLUDED.lon, lat = EXCLUDED.lat, street = EXCLUDED.street,"
        " district = EXCLUDED.district, retired_at = NULL",
        [
            (s.site_id, s.name, s.kind, s.capacity, s.lon, s.lat, s.street, s.district)
            for s in sites
        ],
    )


_ID_QUERIES = {
    # Sensors mounted on a bin in service, and bins in service that never had a sensor mapped
    # (their sensor id is their bin id).
    "fill": "SELECT m.sensor_id FROM sensors m JOIN bins b USING (bin_id)"
    " WHERE m.removed_at IS NULL AND b.retired_at IS NULL"
    " UNION SELECT b.bin_id FROM bins b WHERE b.retired_at IS NULL"
    " AND NOT EXISTS (SELECT 1 FROM sensors m WHERE m.bin_id = b.bin_id)",
    "gps": "SELECT vehicle_id FROM vehicles WHERE retired_at IS NULL",
    "parking": "SELECT site_id FROM parking_sites WHERE retired_at IS NULL",
}


async def known_ids(conn: asyncpg.Connection, kind: str) -> frozenset[str]:
    """Registered ids for a topic kind (``fill``: sensor ids, ``gps`` or ``parking``), of items
    in service."""
    return frozenset(r[0] for r in await conn.fetch(_ID_QUERIES[kind]))


async def load_bins(conn: asyncpg.Connection) -> list[Bin]:
    rows = await conn.fetch(
        "SELECT bin_id, lon, lat, street, district, capacity_l, threshold, service_s"
        " FROM bins WHERE retired_at IS NULL ORDER BY bin_id"
    )
    return [Bin(**dict(r)) for r in rows]


async def load_sites(conn: asyncpg.Connection, role: str) -> list[Site]:
    rows = await conn.fetch(
        "SELECT site_id, name, lon, lat FROM sites WHERE role = $1 AND retired_at IS NULL"
        " ORDER BY site_id",
        role,
    )
    return [Site(**dict(r)) for r in rows]


async def load_vehicles(conn: asyncpg.Connection) -> list[Vehicle]:
    rows = await conn.fetch(
        "SELECT vehicle_id, kind, depot_id, capacity_l, capacity_kg, shift_start_h, shift_end_h,"
        " co2_g_per_km FROM vehicles WHERE retired_at IS NULL ORDER BY vehicle_id"
    )
    return [Vehicle(**{**dict(r), "kind": VehicleKind(r["kind"])}) for r in rows]


async def load_parking_sites(conn: asyncpg.Connection) -> list[ParkingSite]:
    rows = await conn.fetch(
        "SELECT site_id, name, kind, capacity, lon, lat, street, district"
        " FROM parking_sites WHERE retired_at IS NULL ORDER BY site_id"
    )
    return [ParkingSite(**dict(r)) for r in rows]
