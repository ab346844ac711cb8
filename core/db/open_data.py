"""Reads for the open-data exports: bins with their latest level, fill per district and hour,
parking occupancy per site and hour (adapter: PostgreSQL). Nothing personal is read.

Hours are local hours of day in the time zone ``tz`` (an IANA name, passed to SQL as a parameter).
Fill statistics count sensor readings only, not the levels drivers report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg


@dataclass(frozen=True, slots=True)
class BinFill:
    """A bin and its latest ``fillingLevel`` (None before its first reading)."""

    bin_id: str
    lon: float
    lat: float
    street: str
    district: str
    capacity_l: float
    filling_level: float | None
    observed_at: datetime | None


@dataclass(frozen=True, slots=True)
class DistrictHourFill:
    """Fill statistics of one district in one local hour of day; (lon, lat) is the mean of its
    bins' positions."""

    district: str
    hour: int
    mean_fill: float
    max_fill: float
    readings: int
    lon: float
    lat: float


@dataclass(frozen=True, slots=True)
class SiteHourOccupancy:
    """Mean occupancy (1 − free/capacity) of one parking site in one local hour of day."""

    site_id: str
    name: str
    lon: float
    lat: float
    hour: int
    occupancy: float
    observations: int


async def bin_fills(conn: asyncpg.Connection | asyncpg.Pool) -> list[BinFill]:
    """Every bin with its latest level, by bin id."""
    rows = await conn.fetch(
        "SELECT b.bin_id, b.lon, b.lat, b.street, b.district, b.capacity_l, s.filling_level,"
        " s.observed_at FROM bins b LEFT JOIN bin_state s USING (bin_id) WHERE b.retired_at IS NULL"
        " ORDER BY b.bin_id"
    )
    return [BinFill(*r) for r in rows]


async def fill_by_district_hour(
    conn: asyncpg.Connection | asyncpg.Pool, since: datetime, tz: str
) -> list[DistrictHourFill]:
    """Mean and maximum sensor fill and reading count per district and local hour of day
    (time zone ``tz``) over readings since ``since``, by district and hour."""
    rows = await conn.fetch(
        "SELECT b.district, extract(hour FROM r.observed_at AT TIME ZONE $2::text)::int AS hour,"
        " avg(r.filling_level) AS mean_fill, max(r.filling_level) AS max_fill,"
        " count(*) AS n, avg(b.lon) AS lon, avg(b.lat) AS lat"
        " FROM fill_readings r JOIN bins b ON b.bin_id = r.bin_id"
        " WHERE r.observed_at >= $1 AND r.src_partition >= 0"
        " GROUP BY b.district, hour ORDER BY b.district, hour",
        since,
        tz,
    )
    return [DistrictHourFill(*r) for r in rows]


async def occupancy_by_site_hour(
    conn: asyncpg.Connection | asyncpg.Pool, since: datetime, tz: str
) -> list[SiteHourOccupancy]:
    """Mean occupancy and observation count per parking site and local hour of day (time zone
    ``tz``) over observations since ``since``, by site and hour."""
    rows = await conn.fetch(
        "SELECT o.site_id, s.name, s.lon, s.lat,"
        " extract(hour FROM o.observed_at AT TIME ZONE $2::text)::int AS hour,"
        " avg(1 - o.free::float8 / o.capacity) AS occupancy, count(*) AS n"
        " FROM parking_observations o JOIN parking_sites s USING (site_id)"
        " WHERE o.observed_at >= $1 GROUP BY o.site_id, s.name, s.lon, s.lat, hour"
        " ORDER BY o.site_id, hour",
        since,
        tz,
    )
    return [SiteHourOccupancy(*r) for r in rows]
