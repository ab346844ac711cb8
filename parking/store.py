"""PostgreSQL adapter: sites, observations and latest state for (re)training and serving.

Reads the ingest engineer's tables ``parking_sites``, ``parking_observations`` and
``parking_state``. Only counts per site are read; nothing about drivers or queries is stored.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import asyncpg
import numpy as np

from core.domain import ParkingSite
from core.records import ParkingObservation
from parking.dataset import Dataset, site_info
from parking.table import ObservationTable, build_table

log = logging.getLogger(__name__)


async def fetch_sites(conn: Any) -> list[ParkingSite]:
    """All parking sites, ordered by id."""
    rows = await conn.fetch(
        "SELECT site_id, name, kind, capacity, lon, lat, street, district "
        "FROM parking_sites ORDER BY site_id"
    )
    return [
        ParkingSite(
            r["site_id"],
            r["name"],
            r["kind"],
            r["capacity"],
            r["lon"],
            r["lat"],
            r["street"] or "",
            r["district"] or "",
        )
        for r in rows
    ]


async def fetch_table(
    conn: Any, site_ids: tuple[str, ...], since: datetime, until: datetime
) -> ObservationTable:
    """Observations of known sites with ``since <= observed_at < until`` as a table."""
    rows = await conn.fetch(
        "SELECT site_id, floor(extract(epoch FROM observed_at) / 60)::bigint AS m, free, capacity "
        "FROM parking_observations "
        "WHERE observed_at >= $1 AND observed_at < $2 AND site_id = ANY($3::text[])",
        since,
        until,
        list(site_ids),
    )
    return build_table(
        site_ids,
        [r["site_id"] for r in rows],
        np.array([r["m"] for r in rows], dtype=np.int64),
        np.array([r["free"] for r in rows], dtype=np.int32),
        np.array([r["capacity"] for r in rows], dtype=np.int32),
    )


async def fetch_latest(conn: Any) -> list[ParkingObservation]:
    """The latest count of every site (``parking_state``), for serving."""
    rows = await conn.fetch("SELECT site_id, observed_at, free, capacity FROM parking_state")
    return [
        ParkingObservation(r["site_id"], r["observed_at"], r["free"], r["capacity"]) for r in rows
    ]


async def load_window(dsn: str, since: datetime, until: datetime) -> Dataset:
    """Sites and observations of a training window, read over one connection."""
    conn = await asyncpg.connect(dsn)
    try:
        sites = await fetch_sites(conn)
        info = site_info(sites)
        table = await fetch_table(conn, info.site_ids, since, until)
    finally:
        await conn.close()
    log.info("loaded %d observations of %d sites from the database", len(table), len(sites))
    return Dataset(info, table, [], [])
