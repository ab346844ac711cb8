"""The live operations picture: bins with fill and forecast, trucks at their latest positions,
routes of a plan (adapter: reads PostgreSQL, builds map views)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, timedelta

import asyncpg

from core.db.adherence import AdherenceNotFound, load_adherence
from core.db.inventory import load_bins
from core.db.plans import route_geometries
from core.db.readings import bin_levels, latest_reading_at, load_readings
from core.db.stop_reports import stop_reports
from core.db.vehicle_state import latest_positions
from core.domain import VehicleKind
from fleet.adherence_types import AdherenceRun, PlanAdherence
from forecasting.forecast import ForecastParams, forecast_arrays
from maps.views import BinView, RouteView, StopView, VehicleView

_cache: dict[str, tuple[float, dict[str, float | None]]] = {}


async def bin_views(
    conn: asyncpg.Connection,
    cache_key: str,
    tz: str,
    horizon_h: float = 12.0,
    cache_s: float = 60.0,
) -> list[BinView]:
    """Every bin with its latest level and the forecast level ``horizon_h`` after its last
    reading (forecasts cached for ``cache_s`` per ``cache_key``; local time in ``tz``)."""
    bins = await load_bins(conn)
    state = await bin_levels(conn)
    key = cache_key
    hit = _cache.get(key)
    if hit is None or time.monotonic() - hit[0] > cache_s:
        latest = await latest_reading_at(conn)
        forecast: dict[str, float | None] = {}
        if latest is not None and bins:
            r = await load_readings(conn, latest - timedelta(days=3))
            fc = await asyncio.to_thread(
                forecast_arrays, bins, r.sensor_ids, r.utc_seconds, r.levels, ForecastParams(tz)
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
    fixes = await latest_positions(conn, actor, "live operations view", kind=kind)
    return [
        VehicleView(
            f.vehicle_id,
            f.lon,
            f.lat,
            f.observed_at.astimezone(UTC).strftime("%H:%M UTC"),
            f.speed_kmh,
        )
        for f in fixes.values()
    ]


async def route_views(conn: asyncpg.Connection, plan_id: int) -> list[RouteView]:
    """Every route of a plan with stop statuses and its road geometry if stored, in vehicle
    order."""
    by = {
        v: [
            StopView(
                r.stop.seq, r.stop.bin_id or r.stop.site_id or "", r.stop.lon, r.stop.lat, r.status
            )
            for r in reports
        ]
        for v, reports in (await stop_reports(conn, plan_id)).items()
    }
    paths = await route_geometries(conn, plan_id)
    return [RouteView(v, tuple(s), paths.get(v, ())) for v, s in by.items()]


async def stored_adherence(
    conn: asyncpg.Connection, plan_id: int, actor: str
) -> tuple[AdherenceRun, PlanAdherence] | None:
    """The plan's stored proof of service, None when none is computed yet; its service times
    and off-route lines are drivers' personal data, so the read is recorded in ``access_log``."""
    try:
        return await load_adherence(conn, plan_id, actor=actor, purpose="live operations view")
    except AdherenceNotFound:
        return None
