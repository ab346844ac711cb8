"""The vehicles' live positions (``vehicle_state``, kept by the ingest): drivers' personal data.

:func:`latest_positions` is the only reader; it requires an actor and a purpose and records the
read in ``access_log`` in the same transaction (planners' live map, mid-day re-planning).
"""

from __future__ import annotations

from collections.abc import Collection

import asyncpg

from core.db.access_log import log_access
from core.domain import VehicleKind
from core.tracking import VehicleFix


async def latest_positions(
    conn: asyncpg.Connection,
    actor: str,
    purpose: str,
    *,
    vehicle_ids: Collection[str] | None = None,
    kind: VehicleKind | None = None,
) -> dict[str, VehicleFix]:
    """The latest fix of each vehicle that has one (only ``vehicle_ids`` and/or vehicles of
    ``kind`` when given), by vehicle id in order; the read is logged first. ValueError when the
    actor or the purpose is empty."""
    detail: dict[str, object] = {}
    if kind is not None:
        detail["kind"] = kind.value
    if vehicle_ids is not None:
        vehicle_ids = sorted(vehicle_ids)
        detail["vehicles"] = len(vehicle_ids)
        detail["vehicle_ids"] = vehicle_ids  # whose positions: the DPO filters on it
    async with conn.transaction():
        await log_access(conn, actor, purpose, "vehicle_state", detail)
        rows = await conn.fetch(
            "SELECT vehicle_id, observed_at, lon, lat, speed_kmh FROM vehicle_state"
            " WHERE ($1::text[] IS NULL OR vehicle_id = ANY($1::text[]))"
            " AND ($2::text IS NULL OR vehicle_id IN (SELECT vehicle_id FROM vehicles"
            " WHERE kind = $2)) ORDER BY vehicle_id",
            vehicle_ids,
            None if kind is None else kind.value,
        )
    return {
        r["vehicle_id"]: VehicleFix(
            r["vehicle_id"], r["observed_at"], r["lon"], r["lat"], float(r["speed_kmh"])
        )
        for r in rows
    }
