"""Reading raw GPS history: only with an actor and a purpose, and every read is logged."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import asyncpg
import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class Traces:
    """Fixes of many vehicles as aligned arrays, sorted by (vehicle, time)."""

    vehicle_ids: tuple[str, ...]
    vehicle: npt.NDArray[np.int32]  # index into vehicle_ids
    t_s: npt.NDArray[np.float64]
    lon: npt.NDArray[np.float64]
    lat: npt.NDArray[np.float64]
    speed_kmh: npt.NDArray[np.float64]


async def read_traces(
    conn: asyncpg.Connection, since: datetime, until: datetime, actor: str, purpose: str
) -> Traces:
    """GPS fixes in ``[since, until)``; the read is recorded in ``access_log`` first."""
    if not actor.strip() or not purpose.strip():
        raise ValueError("reading GPS history needs an actor and a purpose.")
    async with conn.transaction():
        await conn.execute(
            "INSERT INTO access_log (actor, purpose, resource, detail) VALUES ($1, $2, $3, $4)",
            actor,
            purpose,
            "gps_fixes",
            json.dumps({"since": since.isoformat(), "until": until.isoformat()}),
        )
        rows = await conn.fetch(
            "SELECT vehicle_id, extract(epoch FROM observed_at) AS t, lon, lat, speed_kmh"
            " FROM gps_fixes WHERE observed_at >= $1 AND observed_at < $2"
            " ORDER BY vehicle_id, observed_at",
            since,
            until,
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
