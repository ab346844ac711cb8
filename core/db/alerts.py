"""What the bin alerts read (adapter: PostgreSQL): sensor readings with their battery, each bin's
last sensor reading, drivers' recorded emptyings, and the stops still planned in the current and
next stored plans. Sensor readings are those ingested from Kafka (``src_partition >= 0``); the
readings written from drivers' reports (:data:`core.db.stop_reports.DRIVER_REPORT_SRC`) are not
sensor output. Readings belong to the bin their sensor was mounted on (``fill_readings.bin_id``,
migration 0008)."""

from __future__ import annotations

from datetime import date, datetime

import asyncpg
import numpy as np

from fleet.alerts.types import PlannedVisit, SensorSeries


async def sensor_series(
    conn: asyncpg.Connection, since: datetime, until: datetime
) -> dict[str, SensorSeries]:
    """Sensor readings observed in ``[since, until]`` as one column series per registered bin
    (aggregated into arrays in the database, a row per bin, each through the bin's time index)."""
    rows = await conn.fetch(
        "SELECT b.bin_id, r.t, r.level, r.battery FROM bins b CROSS JOIN LATERAL (SELECT"
        " array_agg(extract(epoch FROM f.observed_at)::float8 ORDER BY f.observed_at) AS t,"
        " array_agg(f.filling_level ORDER BY f.observed_at) AS level,"
        " array_agg(f.battery_level ORDER BY f.observed_at) AS battery FROM fill_readings f"
        " WHERE f.bin_id = b.bin_id AND f.observed_at >= $1 AND f.observed_at <= $2"
        " AND f.src_partition >= 0) r WHERE r.t IS NOT NULL",
        since,
        until,
    )
    return {
        r[0]: SensorSeries(
            np.array(r[1], dtype=np.float64),
            np.array(r[2], dtype=np.float64),
            np.array([np.nan if b is None else b for b in r[3]], dtype=np.float64),
        )
        for r in rows
    }


async def last_sensor_readings(conn: asyncpg.Connection) -> dict[str, datetime | None]:
    """Each registered bin's last sensor reading time (None: none ever)."""
    rows = await conn.fetch(
        "SELECT b.bin_id, (SELECT max(f.observed_at) FROM fill_readings f"
        " WHERE f.bin_id = b.bin_id AND f.src_partition >= 0) FROM bins b"
    )
    return {r[0]: r[1] for r in rows}


async def recorded_emptyings(
    conn: asyncpg.Connection, since: datetime
) -> dict[str, list[datetime]]:
    """When drivers reported each bin emptied (accepted plans' stops), since ``since``."""
    rows = await conn.fetch(
        "SELECT bin_id, reported_at FROM plan_stops WHERE status = 'emptied'"
        " AND reported_at >= $1 ORDER BY bin_id, reported_at",
        since,
    )
    out: dict[str, list[datetime]] = {}
    for r in rows:
        out.setdefault(r[0], []).append(r[1])
    return out


async def planned_visits(
    conn: asyncpg.Connection, from_day: date
) -> tuple[list[PlannedVisit], set[date]]:
    """The bin stops still ``planned`` in the newest accepted plan of each day from
    ``from_day`` on, and the days that have such a plan."""
    rows = await conn.fetch(
        "WITH cur AS (SELECT DISTINCT ON (plan_date) plan_id, plan_date FROM plans"
        " WHERE status = 'accepted' AND plan_date >= $1"
        " ORDER BY plan_date, created_at DESC, plan_id DESC)"
        " SELECT c.plan_id, c.plan_date, s.bin_id, s.vehicle_id, s.eta FROM cur c"
        " LEFT JOIN plan_stops s ON s.plan_id = c.plan_id AND s.kind = 'bin'"
        " AND s.status = 'planned' ORDER BY s.eta",
        from_day,
    )
    days = {r["plan_date"] for r in rows}
    visits = [
        PlannedVisit(r["bin_id"], r["plan_id"], r["plan_date"], r["vehicle_id"], r["eta"])
        for r in rows
        if r["bin_id"] is not None
    ]
    return visits, days
