"""Parking counts for the parking model: observations of a window as columns, and each site's
latest count (adapter: PostgreSQL, tables ``parking_observations`` and ``parking_state``).
Only counts per site are read; nothing about drivers or queries is stored."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

import asyncpg
import numpy as np
import numpy.typing as npt

from core.records import ParkingObservation


@dataclass(frozen=True, slots=True)
class ObservationColumns:
    """Parking observations as parallel columns; times in whole minutes since the epoch (UTC)."""

    site_ids: list[str]
    t_min: npt.NDArray[np.int64]
    free: npt.NDArray[np.int32]
    capacity: npt.NDArray[np.int32]

    def __len__(self) -> int:
        return len(self.site_ids)


async def observation_columns(
    conn: asyncpg.Connection, site_ids: Collection[str], since: datetime, until: datetime
) -> ObservationColumns:
    """Observations of ``site_ids`` with ``since <= observed_at < until``, unordered."""
    rows = await conn.fetch(
        "SELECT site_id, floor(extract(epoch FROM observed_at) / 60)::bigint AS m, free, capacity"
        " FROM parking_observations"
        " WHERE observed_at >= $1 AND observed_at < $2 AND site_id = ANY($3::text[])",
        since,
        until,
        list(site_ids),
    )
    return ObservationColumns(
        [r["site_id"] for r in rows],
        np.array([r["m"] for r in rows], dtype=np.int64),
        np.array([r["free"] for r in rows], dtype=np.int32),
        np.array([r["capacity"] for r in rows], dtype=np.int32),
    )


async def latest_observations(conn: asyncpg.Connection) -> list[ParkingObservation]:
    """The latest count of every site (``parking_state``), for serving."""
    rows = await conn.fetch("SELECT site_id, observed_at, free, capacity FROM parking_state")
    return [
        ParkingObservation(r["site_id"], r["observed_at"], r["free"], r["capacity"]) for r in rows
    ]


async def set_latest_counts(
    conn: asyncpg.Connection, observations: Collection[ParkingObservation]
) -> None:
    """Overwrite sites' latest counts directly (set-up of benchmarks and demos; the ingest keeps
    ``parking_state`` otherwise)."""
    await conn.executemany(
        "INSERT INTO parking_state (site_id, observed_at, free, capacity) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (site_id) DO UPDATE SET observed_at = EXCLUDED.observed_at,"
        " free = EXCLUDED.free, capacity = EXCLUDED.capacity",
        [(o.site_id, o.observed_at, o.free, o.capacity) for o in observations],
    )
