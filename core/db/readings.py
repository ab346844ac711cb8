"""Bins' fill readings and latest levels, read for forecasting and the live map (adapter:
PostgreSQL, tables ``fill_readings`` and ``bin_state``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg
import numpy as np
import numpy.typing as npt


@dataclass(frozen=True, slots=True)
class ReadingArrays:
    """Fill readings as columns for :func:`forecasting.forecast.forecast_arrays`.

    ``sensor_ids`` holds each reading's *bin* id: the bin its sensor was mounted on when it was
    observed (``fill_readings.bin_id``, migration 0008), so a replaced sensor's history stays
    with its bin and the forecaster groups by bin."""

    sensor_ids: npt.NDArray[np.str_]
    utc_seconds: npt.NDArray[np.float64]
    levels: npt.NDArray[np.float64]

    def __len__(self) -> int:
        return int(self.levels.size)


async def load_readings(
    conn: asyncpg.Connection, since: datetime, until: datetime | None = None
) -> ReadingArrays:
    """Fill readings observed in ``[since, until)`` as columns, ordered by bin and time."""
    rows = await conn.fetch(
        "SELECT bin_id, extract(epoch FROM observed_at)::float8 AS t, filling_level"
        " FROM fill_readings WHERE observed_at >= $1 AND ($2::timestamptz IS NULL"
        " OR observed_at < $2) ORDER BY bin_id, observed_at",
        since,
        until,
    )
    return ReadingArrays(
        np.array([r[0] for r in rows], dtype=str),
        np.array([r[1] for r in rows], dtype=np.float64),
        np.array([r[2] for r in rows], dtype=np.float64),
    )


async def latest_reading_at(conn: asyncpg.Connection) -> datetime | None:
    """When the newest fill reading was observed; None without readings."""
    at: datetime | None = await conn.fetchval("SELECT max(observed_at) FROM fill_readings")
    return at


async def bin_levels(conn: asyncpg.Connection) -> dict[str, float]:
    """Each bin's latest ``fillingLevel`` (``bin_state``), for bins that have one."""
    rows = await conn.fetch("SELECT bin_id, filling_level FROM bin_state")
    return {r["bin_id"]: r["filling_level"] for r in rows}
