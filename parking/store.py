"""PostgreSQL adapter: a training window of sites and observations for the parking model.

The queries live in :mod:`core.db.inventory` (sites) and :mod:`core.db.parking` (observations,
latest counts); this module opens the connection and builds the model's columnar table. Only
counts per site are read; nothing about drivers or queries is stored.
"""

from __future__ import annotations

import logging
from datetime import datetime

import asyncpg

from core.db.inventory import load_parking_sites
from core.db.parking import observation_columns
from parking.dataset import Dataset, site_info
from parking.table import ObservationTable, build_table

log = logging.getLogger(__name__)


async def fetch_table(
    conn: asyncpg.Connection, site_ids: tuple[str, ...], since: datetime, until: datetime
) -> ObservationTable:
    """Observations of known sites with ``since <= observed_at < until`` as a table."""
    cols = await observation_columns(conn, site_ids, since, until)
    return build_table(site_ids, cols.site_ids, cols.t_min, cols.free, cols.capacity)


async def load_window(dsn: str, since: datetime, until: datetime) -> Dataset:
    """Sites and observations of a training window, read over one connection."""
    conn = await asyncpg.connect(dsn)
    try:
        sites = await load_parking_sites(conn)
        info = site_info(sites)
        table = await fetch_table(conn, info.site_ids, since, until)
    finally:
        await conn.close()
    log.info("loaded %d observations of %d sites from the database", len(table), len(sites))
    return Dataset(info, table, [], [])
