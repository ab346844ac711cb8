"""Forecast runs made for plans, each bin's forecast with its predicted-full time (adapter:
PostgreSQL, tables ``forecast_runs`` and ``bin_forecasts`` of ``migrations/0010_alerts.sql``).

:func:`routing.planning.plan_service.plan_day` stores the forecast it selected bins with before
solving, and links the run to the plan once the plan is stored (accepted or rejected).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

import asyncpg

from forecasting.model import FillForecast


@dataclass(frozen=True, slots=True)
class StoredForecast:
    """One bin's stored forecast (the weekly profile is not kept)."""

    run_id: int
    bin_id: str
    method: str
    level_now: float | None
    as_of: datetime | None
    rate_per_h: float
    threshold: float
    predicted_full_at: datetime | None
    predicted_full_early: datetime | None
    predicted_full_late: datetime | None
    n_obs: int


async def save_forecast_run(
    conn: asyncpg.Connection,
    forecasts: Mapping[str, FillForecast],
    plan_date: date,
    as_of: datetime | None,
    params: Mapping[str, object] | None = None,
) -> int:
    """Store one forecast run (every bin's forecast) in one transaction; returns its run id."""
    async with conn.transaction():
        run_id: int = await conn.fetchval(
            "INSERT INTO forecast_runs (as_of, plan_date, params) VALUES ($1, $2, $3::jsonb)"
            " RETURNING run_id",
            as_of,
            plan_date,
            json.dumps(dict(params or {}), default=str),
        )
        await conn.copy_records_to_table(
            "bin_forecasts",
            columns=[
                "run_id",
                "bin_id",
                "method",
                "level_now",
                "as_of",
                "rate_per_h",
                "rate_low_per_h",
                "rate_high_per_h",
                "threshold",
                "predicted_full_at",
                "predicted_full_early",
                "predicted_full_late",
                "n_obs",
            ],
            records=[
                (
                    run_id,
                    f.bin_id,
                    f.method.value,
                    f.level_now,
                    f.as_of,
                    f.rate_per_h,
                    f.rate_low_per_h,
                    f.rate_high_per_h,
                    f.threshold,
                    f.full_at,
                    f.full_at_early,
                    f.full_at_late,
                    f.n_obs,
                )
                for f in forecasts.values()
            ],
        )
    return run_id


async def link_forecast_run(conn: asyncpg.Connection, run_id: int, plan_id: int) -> None:
    """Record that plan ``plan_id`` was made from forecast run ``run_id``."""
    await conn.execute("UPDATE forecast_runs SET plan_id = $2 WHERE run_id = $1", run_id, plan_id)


async def forecast_run_of_plan(conn: asyncpg.Connection, plan_id: int) -> int | None:
    """The forecast run plan ``plan_id`` was made from; None when none was stored."""
    run: int | None = await conn.fetchval(
        "SELECT run_id FROM forecast_runs WHERE plan_id = $1 ORDER BY run_id DESC LIMIT 1", plan_id
    )
    return run


async def load_forecast_run(conn: asyncpg.Connection, run_id: int) -> dict[str, StoredForecast]:
    """Every bin's forecast of run ``run_id``, by bin id (empty for an unknown run)."""
    rows = await conn.fetch(
        "SELECT run_id, bin_id, method, level_now, as_of, rate_per_h, threshold,"
        " predicted_full_at, predicted_full_early, predicted_full_late, n_obs"
        " FROM bin_forecasts WHERE run_id = $1 ORDER BY bin_id",
        run_id,
    )
    return {r["bin_id"]: StoredForecast(**dict(r)) for r in rows}
