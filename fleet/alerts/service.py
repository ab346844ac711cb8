"""Bin alerts computed on demand (adapter: reads PostgreSQL through :mod:`core.db.alerts`, runs
the pure rules of :mod:`fleet.alerts.sensors` and :mod:`fleet.alerts.overflow`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg

from core.db.alerts import last_sensor_readings, planned_visits, recorded_emptyings, sensor_series
from core.db.inventory import load_bins, load_vehicles
from core.domain import VehicleKind
from fleet.alerts.overflow import next_unplanned_shift, next_visits, overflow_alerts
from fleet.alerts.sensors import neighbour_rates, sensor_alerts
from fleet.alerts.types import Alert, AlertParams
from forecasting.model import FillForecast

DEFAULT_SHIFT_START_H = 6.0  # without waste trucks in the inventory


async def compute_alerts(
    conn: asyncpg.Connection,
    forecasts: Mapping[str, FillForecast],
    *,
    now: datetime,
    tz: str,
    params: AlertParams,
) -> list[Alert]:
    """Every alert at ``now`` (most urgent kind first, then by time), from the database and the
    bins' fill ``forecasts`` (the caller's: the API shares the live map's)."""
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware.")
    bins = await load_bins(conn)
    since = now - timedelta(hours=params.lookback_h)
    series = await sensor_series(conn, since, now)
    last = await last_sensor_readings(conn)
    emptyings = await recorded_emptyings(conn, since - timedelta(hours=params.emptying_slack_h))
    visits, planned_days = await planned_visits(conn, now.astimezone(ZoneInfo(tz)).date())
    trucks = [v for v in await load_vehicles(conn) if v.kind is VehicleKind.WASTE_TRUCK]
    shift_h = min((v.shift_start_h for v in trucks), default=DEFAULT_SHIFT_START_H)
    shift = next_unplanned_shift(now, tz, shift_h, planned_days, params.working_days)
    alerts = overflow_alerts(bins, forecasts, next_visits(visits), shift)
    alerts += sensor_alerts(
        bins, series, last, emptyings, neighbour_rates(bins, forecasts), now, params
    )
    return sorted(alerts, key=Alert.sort_key)
