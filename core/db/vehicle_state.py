"""Store adapter for the trucks' latest GPS fixes (``vehicle_state``, kept by the ingest)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

import asyncpg


@dataclass(frozen=True, slots=True)
class VehicleFix:
    """A vehicle's latest known position."""

    vehicle_id: str
    observed_at: datetime
    lon: float
    lat: float
    speed_kmh: float


async def latest_fixes(
    conn: asyncpg.Connection, vehicle_ids: Collection[str]
) -> dict[str, VehicleFix]:
    """The latest fix of each of ``vehicle_ids`` that has one."""
    rows = await conn.fetch(
        "SELECT vehicle_id, observed_at, lon, lat, speed_kmh FROM vehicle_state"
        " WHERE vehicle_id = ANY($1::text[])",
        list(vehicle_ids),
    )
    return {
        r["vehicle_id"]: VehicleFix(
            r["vehicle_id"], r["observed_at"], r["lon"], r["lat"], float(r["speed_kmh"])
        )
        for r in rows
    }
