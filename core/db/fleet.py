"""Reading raw GPS history: only with an actor and a purpose, and every read is logged."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

import asyncpg
import numpy as np

from core.db.access_log import log_access
from core.tracking import Traces


async def read_traces(
    conn: asyncpg.Connection,
    since: datetime,
    until: datetime,
    actor: str,
    purpose: str,
    *,
    vehicle_ids: Collection[str] | None = None,
) -> Traces:
    """GPS fixes in ``[since, until)`` (of ``vehicle_ids`` only, when given); the read is
    recorded in ``access_log`` first."""
    ids_wanted = None if vehicle_ids is None else sorted(vehicle_ids)
    async with conn.transaction():
        window: dict[str, object] = {"since": since.isoformat(), "until": until.isoformat()}
        if ids_wanted is not None:
            window["vehicles"] = len(ids_wanted)
            window["vehicle_ids"] = ids_wanted  # whose positions: the DPO filters on it
        await log_access(conn, actor, purpose, "gps_fixes", window)
        rows = await conn.fetch(
            "SELECT vehicle_id, extract(epoch FROM observed_at) AS t, lon, lat, speed_kmh"
            " FROM gps_fixes WHERE observed_at >= $1 AND observed_at < $2"
            " AND ($3::text[] IS NULL OR vehicle_id = ANY($3::text[]))"
            " ORDER BY vehicle_id, observed_at",
            since,
            until,
            ids_wanted,
        )
    ids: list[str] = []
    index: dict[str, int] = {}
    vehicle = np.empty(len(rows), dtype=np.int32)
    for k, r in enumerate(rows):
        vid = r["vehicle_id"]
        if vid not in index:
            index[vid] = len(ids)
            ids.append(vid)
        vehicle[k] = index[vid]
    return Traces(
        tuple(ids),
        vehicle,
        np.array([float(r["t"]) for r in rows]),
        np.array([r["lon"] for r in rows]),
        np.array([r["lat"] for r in rows]),
        np.array([float(r["speed_kmh"]) for r in rows]),
    )
