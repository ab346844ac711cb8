"""The live operations picture: bins with fill, forecast and predicted-full time, trucks at their
latest positions, routes of a plan, the bin alerts (adapter: reads PostgreSQL, builds map views).

The bins' forecasts are computed on demand and shared, for a minute, by the live map, the bins'
GeoJSON and the alerts (:func:`live_alerts`, :mod:`fleet.alerts`)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg

from api.state import ApiConfig
from core.db.adherence import AdherenceNotFound, load_adherence
from core.db.inventory import load_bins
from core.db.plans import route_geometries
from core.db.readings import bin_levels, latest_reading_at, load_readings
from core.db.stop_reports import stop_reports
from core.db.vehicle_state import latest_positions
from core.domain import Bin, VehicleKind
from fleet.adherence_types import AdherenceRun, PlanAdherence
from fleet.alerts.overflow import predicted_full_at
from fleet.alerts.service import compute_alerts
from fleet.alerts.types import Alert
from forecasting.forecast import FillForecast, ForecastParams, forecast_arrays
from maps.views import BinView, RouteView, StopView, VehicleView


@dataclass(frozen=True)
class LiveForecasts:
    """The bins' forecasts the live views share."""

    made: float  # time.monotonic() when computed
    forecasts: dict[str, FillForecast]
    levels: dict[str, float | None]  # forecast level ``horizon_h`` after the newest reading


_cache: dict[str, LiveForecasts] = {}


@dataclass(frozen=True)
class LiveAlerts:
    """The alerts at ``computed_at``, most urgent kind first."""

    computed_at: datetime
    alerts: tuple[Alert, ...]


_alerts: dict[str, tuple[float, LiveAlerts]] = {}


async def live_forecasts(
    conn: asyncpg.Connection,
    bins: Sequence[Bin],
    cache_key: str,
    tz: str,
    horizon_h: float = 12.0,
    cache_s: float = 60.0,
) -> LiveForecasts:
    """Every bin's fill forecast from the last 3 days of readings (local time in ``tz``), and its
    level ``horizon_h`` after the newest reading; cached for ``cache_s`` per ``cache_key``."""
    hit = _cache.get(cache_key)
    if hit is not None and time.monotonic() - hit.made <= cache_s:
        return hit
    latest = await latest_reading_at(conn)
    forecasts: dict[str, FillForecast] = {}
    levels: dict[str, float | None] = {}
    if latest is not None and bins:
        r = await load_readings(conn, latest - timedelta(days=3))
        forecasts = await asyncio.to_thread(
            forecast_arrays, bins, r.sensor_ids, r.utc_seconds, r.levels, ForecastParams(tz)
        )
        at = latest + timedelta(hours=horizon_h)
        levels = {b: f.level_at(at) for b, f in forecasts.items()}
    _cache[cache_key] = hit = LiveForecasts(time.monotonic(), forecasts, levels)
    return hit


async def bin_views(
    conn: asyncpg.Connection,
    cache_key: str,
    tz: str,
    horizon_h: float = 12.0,
    cache_s: float = 60.0,
) -> list[BinView]:
    """Every bin with its latest level, the forecast level ``horizon_h`` after its last
    reading and its predicted-full time in local time (forecasts cached for ``cache_s`` per
    ``cache_key``; local time in ``tz``)."""
    bins = await load_bins(conn)
    state = await bin_levels(conn)
    live = await live_forecasts(conn, bins, cache_key, tz, horizon_h, cache_s)
    zone = ZoneInfo(tz)
    return [
        BinView(
            b.bin_id,
            b.lon,
            b.lat,
            b.street,
            state.get(b.bin_id),
            live.levels.get(b.bin_id),
            b.threshold,
            _local(predicted_full_at(live.forecasts.get(b.bin_id)), zone),
        )
        for b in bins
    ]


def _local(t: datetime | None, zone: ZoneInfo) -> datetime | None:
    return None if t is None else t.astimezone(zone)


async def live_alerts(
    conn: asyncpg.Connection, config: ApiConfig, cache_s: float = 60.0
) -> LiveAlerts:
    """The bin alerts now, from the live map's forecasts; cached for ``cache_s`` per database."""
    key = config.database_url
    hit = _alerts.get(key)
    if hit is not None and time.monotonic() - hit[0] <= cache_s:
        return hit[1]
    bins = await load_bins(conn)
    live = await live_forecasts(conn, bins, key, config.timezone, cache_s=cache_s)
    now = datetime.now(UTC)
    found = await compute_alerts(
        conn, live.forecasts, now=now, tz=config.timezone, params=config.alerts
    )
    result = LiveAlerts(now, tuple(found))
    _alerts[key] = (time.monotonic(), result)
    return result


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
