"""The live operations picture: bins with fill and forecast, trucks at their latest positions,
routes of a plan (adapter: reads PostgreSQL, builds map views)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, timedelta

import asyncpg

from core.db.inventory import load_bins
from core.db.plans import load_readings, route_geometries
from core.domain import VehicleKind
from forecasting.forecast import forecast_arrays
from maps.views import BinView, RouteView, StopView, VehicleView

_cache: dict[str, tuple[float, dict[str, float | None]]] = {}


async def bin_views(
    conn: asyncpg.Connection, cache_key: str, horizon_h: float = 12.0, cache_s: float = 60.0
) -> list[BinView]:
    """Every bin with its latest level and the forecast level ``horizon_h`` after its last
    reading (forecasts cached for ``cache_s`` per ``cache_key``)."""
    bins = await load_bins(conn)
    state = {
        r["bin_id"]: r["filling_level"]
        for r in await conn.fetch("SELECT bin_id, filling_level FROM bin_state")
    }
    key = cache_key
    hit = _cache.get(key)
    if hit is None or time.monotonic() - hit[0] > cache_s:
        latest = await conn.fetchval("SELECT max(observed_at) FROM fill_readings")
        forecast: dict[str, float | None] = {}
        if latest is not None and bins:
            r = await load_readings(conn, latest - timedelta(days=3))
            fc = await asyncio.to_thread(
                forecast_arrays, bins, r.sensor_ids, r.utc_seconds, r.levels
            )
            at = latest + timedelta(hours=horizon_h)
            forecast = {b: f.level_at(at) for b, f in fc.items()}
        _cache[key] = hit = (time.monotonic(), forecast)
    fmap = hit[1]
    return [
        BinView(
            b.bin_id, b.lon, b.lat, b.street, state.get(b.bin_id), fmap.get(b.bin_id), b.threshold
        )
        for b in bins
    ]


async def vehicle_views(
    conn: asyncpg.Connection, actor: str, kind: VehicleKind = VehicleKind.WASTE_TRUCK
) -> list[VehicleView]:
    """Vehicles of ``kind`` at their latest positions; positions are drivers' personal data,
    so each read is recorded in ``access_log`` (actor, purpose)."""
    await conn.execute(
        "INSERT INTO access_log (actor, purpose, resource) VALUES ($1, $2, $3)",
        actor,
        "live operations view",
        "vehicle_state",
    )
    rows = await conn.fetch(
        "SELECT s.vehicle_id, s.lon, s.lat, s.observed_at, s.speed_kmh FROM vehicle_state s"
        " JOIN vehicles v USING (vehicle_id) WHERE v.kind = $1 ORDER BY s.vehicle_id",
        kind.value,
    )
    return [
        VehicleView(
            r["vehicle_id"],
            r["lon"],
            r["lat"],
            r["observed_at"].astimezone(UTC).strftime("%H:%M UTC"),
            float(r["speed_kmh"]),
        )
        for r in rows
    ]


async def route_views(conn: asyncpg.Connection, plan_id: int) -> list[RouteView]:
    """Every route of a plan with stop statuses and its road geometry if stored, in vehicle
    order."""
    rows = await conn.fetch(
        "SELECT vehicle_id, seq, coalesce(bin_id, site_id) AS what, lon, lat, status"
        " FROM plan_stops WHERE plan_id = $1 ORDER BY vehicle_id, seq",
        plan_id,
    )
    by: dict[str, list[StopView]] = {}
    for r in rows:
        by.setdefault(r["vehicle_id"], []).append(
            StopView(r["seq"], r["what"] or "", r["lon"], r["lat"], r["status"])
        )
    paths = await route_geometries(conn, plan_id)
    return [RouteView(v, tuple(s), paths.get(v, ())) for v, s in by.items()]
