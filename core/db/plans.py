"""Store adapter for collection plans: save, load, drivers' stop reports and progress.

Tables from ``migrations/0002_plans.sql`` (route geometry: ``0005_route_geometry.sql``). A plan
is written in one transaction; only ``accepted`` plans are served by :func:`latest_plan` and can
have stops reported.

Reporting a bin ``emptied`` also records what the driver saw in ``fill_readings`` (sensor id =
bin id, ``src_partition``/``src_offset`` = -1 marking a driver report): the observed fill one
second before the report, when given, and level 0 at the report, so the forecaster sees the
emptying; ``bin_state`` moves to level 0 unless a newer sensor reading is already there.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import numpy as np
import numpy.typing as npt

from core.plan import DayPlan, Line, PlanTotals, Stop, StopKind, VehicleRoute

REPORTABLE = ("emptied", "skipped")
DRIVER_REPORT_SRC = -1  # src_partition / src_offset of readings written from a driver's report


class PlanNotFound(LookupError):
    """No (accepted) plan with that id or for that date."""


class UnknownStop(LookupError):
    """No such vehicle route or stop in the plan."""


@dataclass(frozen=True, slots=True)
class StopCounts:
    """Bin stops of a route (or a plan) by status."""

    planned: int = 0
    emptied: int = 0
    skipped: int = 0

    @property
    def total(self) -> int:
        return self.planned + self.emptied + self.skipped

    @property
    def done(self) -> int:
        return self.emptied + self.skipped


@dataclass(frozen=True, slots=True)
class PlanProgress:
    """How far the drivers are through a plan's bin stops."""

    plan_id: int
    overall: StopCounts
    by_vehicle: Mapping[str, StopCounts]


@dataclass(frozen=True, slots=True)
class ReadingArrays:
    """Fill readings as columns for :func:`forecasting.forecast.forecast_arrays`."""

    sensor_ids: npt.NDArray[np.str_]
    utc_seconds: npt.NDArray[np.float64]
    levels: npt.NDArray[np.float64]

    def __len__(self) -> int:
        return int(self.levels.size)


# --- writing ----------------------------------------------------------------------------------


async def save_plan(conn: asyncpg.Connection, plan: DayPlan) -> int:
    """Store ``plan`` with its routes and stops in one transaction; returns the new plan id."""
    async with conn.transaction():
        plan_id: int = await conn.fetchval(
            "INSERT INTO plans (plan_date, engine, status, time_limit_s, objective, totals,"
            " inputs, violations) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8::jsonb)"
            " RETURNING plan_id",
            plan.plan_date,
            plan.engine,
            plan.status,
            plan.time_limit_s,
            plan.objective,
            json.dumps(plan.totals.to_json()),
            json.dumps(plan.inputs, default=str),
            json.dumps(list(plan.violations)),
        )
        await conn.executemany(
            "INSERT INTO plan_routes (plan_id, vehicle_id, depot_id, start_at, end_at,"
            " distance_m, drive_s, service_s, co2_kg, break_start_at, geometry)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb)",
            [
                (
                    plan_id,
                    r.vehicle_id,
                    r.depot_id,
                    r.start,
                    r.end,
                    r.distance_m,
                    r.drive_s,
                    r.service_s,
                    r.co2_kg,
                    r.break_start,
                    _geometry_json(r.geometry),
                )
                for r in plan.routes
            ],
        )
        await conn.copy_records_to_table(
            "plan_stops",
            columns=[
                "plan_id",
                "vehicle_id",
                "seq",
                "kind",
                "bin_id",
                "site_id",
                "street",
                "lon",
                "lat",
                "eta",
                "departs_at",
                "load_after_l",
                "load_after_kg",
            ],
            records=[
                (
                    plan_id,
                    r.vehicle_id,
                    s.seq,
                    s.kind.value,
                    s.bin_id,
                    s.site_id,
                    s.street,
                    s.lon,
                    s.lat,
                    s.eta,
                    s.departs,
                    s.load_after_l,
                    s.load_after_kg,
                )
                for r in plan.routes
                for s in r.stops
            ],
        )
    return plan_id


async def report_stop(
    conn: asyncpg.Connection,
    plan_id: int,
    vehicle_id: str,
    seq: int,
    status: str,
    fill_observed: float | None = None,
    skip_reason: str | None = None,
    reported_at: datetime | None = None,
) -> None:
    """A driver's report on a bin stop: ``emptied`` (with the fill seen) or ``skipped``.

    :class:`PlanNotFound` for an unknown or rejected plan, :class:`UnknownStop` for an unknown
    route or stop, ValueError for a bad status or fill, or a stop that is not a bin.
    """
    if status not in REPORTABLE:
        raise ValueError(f"status must be one of {', '.join(REPORTABLE)}, got {status!r}.")
    if fill_observed is not None and not 0.0 <= fill_observed <= 1.0:
        raise ValueError(f"fill_observed must be in [0, 1], got {fill_observed}.")
    at = reported_at or datetime.now(UTC)
    if at.tzinfo is None:
        raise ValueError("reported_at must be timezone-aware.")
    async with conn.transaction():
        await _accepted(conn, plan_id)
        row = await conn.fetchrow(
            "SELECT kind, bin_id FROM plan_stops WHERE plan_id = $1 AND vehicle_id = $2"
            " AND seq = $3 FOR UPDATE",
            plan_id,
            vehicle_id,
            seq,
        )
        if row is None:
            raise UnknownStop(f"plan {plan_id} has no stop {seq} for vehicle {vehicle_id!r}.")
        if row["kind"] != StopKind.BIN.value:
            raise ValueError(f"stop {seq} of {vehicle_id} is a {row['kind']} stop, not a bin.")
        await conn.execute(
            "UPDATE plan_stops SET status = $4, reported_at = $5, fill_observed = $6,"
            " skip_reason = $7 WHERE plan_id = $1 AND vehicle_id = $2 AND seq = $3",
            plan_id,
            vehicle_id,
            seq,
            status,
            at,
            fill_observed,
            skip_reason if status == "skipped" else None,
        )
        if status == "emptied":
            await _record_emptying(conn, row["bin_id"], at, fill_observed)


async def _record_emptying(
    conn: asyncpg.Connection, bin_id: str, at: datetime, fill_observed: float | None
) -> None:
    readings = [(bin_id, at, 0.0)]
    if fill_observed is not None:
        readings.insert(0, (bin_id, at - timedelta(seconds=1), fill_observed))
    await conn.executemany(
        "INSERT INTO fill_readings (sensor_id, observed_at, filling_level, src_partition,"
        " src_offset) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (sensor_id, observed_at) DO UPDATE"
        " SET filling_level = EXCLUDED.filling_level",
        [(*r, DRIVER_REPORT_SRC, DRIVER_REPORT_SRC) for r in readings],
    )
    await conn.execute(
        "INSERT INTO bin_state (bin_id, observed_at, filling_level) VALUES ($1, $2, 0.0)"
        " ON CONFLICT (bin_id) DO UPDATE SET observed_at = EXCLUDED.observed_at,"
        " filling_level = EXCLUDED.filling_level, temperature = NULL"
        " WHERE bin_state.observed_at <= EXCLUDED.observed_at",
        bin_id,
        at,
    )


# --- reading ----------------------------------------------------------------------------------


async def _accepted(conn: asyncpg.Connection, plan_id: int) -> None:
    status = await conn.fetchval("SELECT status FROM plans WHERE plan_id = $1", plan_id)
    if status is None:
        raise PlanNotFound(f"no plan {plan_id}.")
    if status != "accepted":
        raise PlanNotFound(f"plan {plan_id} was rejected by the checker; it cannot be driven.")


async def load_plan(conn: asyncpg.Connection, plan_id: int) -> DayPlan:
    """The stored plan (accepted or rejected); :class:`PlanNotFound` if there is none."""
    head = await conn.fetchrow("SELECT * FROM plans WHERE plan_id = $1", plan_id)
    if head is None:
        raise PlanNotFound(f"no plan {plan_id}.")
    routes = await conn.fetch(
        "SELECT * FROM plan_routes WHERE plan_id = $1 ORDER BY vehicle_id", plan_id
    )
    stops = await conn.fetch(
        "SELECT * FROM plan_stops WHERE plan_id = $1 ORDER BY vehicle_id, seq", plan_id
    )
    by_vehicle: dict[str, list[Stop]] = {}
    for s in stops:
        by_vehicle.setdefault(s["vehicle_id"], []).append(_stop(s))
    return DayPlan(
        plan_date=head["plan_date"],
        engine=head["engine"],
        objective=head["objective"],
        routes=tuple(_route(r, by_vehicle.get(r["vehicle_id"], [])) for r in routes),
        totals=PlanTotals.from_json(json.loads(head["totals"])),
        inputs=json.loads(head["inputs"]),
        status=head["status"],
        violations=tuple(json.loads(head["violations"])),
        time_limit_s=head["time_limit_s"],
        plan_id=head["plan_id"],
        created_at=head["created_at"],
    )


def _stop(r: Mapping[str, Any]) -> Stop:
    return Stop(
        r["seq"],
        StopKind(r["kind"]),
        r["bin_id"],
        r["site_id"],
        r["street"],
        r["lon"],
        r["lat"],
        r["eta"],
        r["departs_at"],
        r["load_after_l"],
        r["load_after_kg"],
    )


def _route(r: Mapping[str, Any], stops: list[Stop]) -> VehicleRoute:
    return VehicleRoute(
        r["vehicle_id"],
        r["depot_id"],
        tuple(stops),
        r["distance_m"],
        r["drive_s"],
        r["service_s"],
        r["co2_kg"],
        r["break_start_at"],
        _geometry(r["geometry"]),
    )


def _geometry_json(line: Line | None) -> str | None:
    return None if line is None else json.dumps([[lon, lat] for lon, lat in line])


def _geometry(raw: str | None) -> Line | None:
    """A stored ``plan_routes.geometry`` (jsonb text) as (lon, lat) pairs; None when absent."""
    if raw is None:
        return None
    return tuple((float(p[0]), float(p[1])) for p in json.loads(raw))


async def route_geometries(
    conn: asyncpg.Connection, plan_id: int, vehicle_id: str | None = None
) -> dict[str, Line]:
    """The stored road geometry of every route of plan ``plan_id`` (or of ``vehicle_id``'s only),
    by vehicle; routes stored without one are left out."""
    rows = await conn.fetch(
        "SELECT vehicle_id, geometry FROM plan_routes WHERE plan_id = $1"
        " AND ($2::text IS NULL OR vehicle_id = $2) AND geometry IS NOT NULL",
        plan_id,
        vehicle_id,
    )
    return {r["vehicle_id"]: line for r in rows if (line := _geometry(r["geometry"])) is not None}


async def latest_plan(conn: asyncpg.Connection, plan_date: date) -> DayPlan:
    """The most recent accepted plan for ``plan_date``; :class:`PlanNotFound` if none."""
    plan_id = await conn.fetchval(
        "SELECT plan_id FROM plans WHERE plan_date = $1 AND status = 'accepted'"
        " ORDER BY created_at DESC, plan_id DESC LIMIT 1",
        plan_date,
    )
    if plan_id is None:
        raise PlanNotFound(f"no accepted plan for {plan_date.isoformat()}.")
    return await load_plan(conn, plan_id)


@dataclass(frozen=True, slots=True)
class StopReport:
    """A stop as a driver's app shows it: the planned stop and what was reported."""

    stop: Stop
    status: str
    reported_at: datetime | None
    fill_observed: float | None
    skip_reason: str | None


async def route_for_vehicle(
    conn: asyncpg.Connection, plan_id: int, vehicle_id: str
) -> list[StopReport]:
    """The ordered stops of ``vehicle_id`` in plan ``plan_id`` with their reported status.

    :class:`PlanNotFound` for an unknown plan, :class:`UnknownStop` when the truck has no route.
    """
    if await conn.fetchval("SELECT 1 FROM plans WHERE plan_id = $1", plan_id) is None:
        raise PlanNotFound(f"no plan {plan_id}.")
    rows = await conn.fetch(
        "SELECT * FROM plan_stops WHERE plan_id = $1 AND vehicle_id = $2 ORDER BY seq",
        plan_id,
        vehicle_id,
    )
    if not rows:
        raise UnknownStop(f"plan {plan_id} has no route for vehicle {vehicle_id!r}.")
    return [
        StopReport(_stop(r), r["status"], r["reported_at"], r["fill_observed"], r["skip_reason"])
        for r in rows
    ]


async def plan_progress(conn: asyncpg.Connection, plan_id: int) -> PlanProgress:
    """Bin stops planned, emptied and skipped, per truck and overall."""
    if await conn.fetchval("SELECT 1 FROM plans WHERE plan_id = $1", plan_id) is None:
        raise PlanNotFound(f"no plan {plan_id}.")
    rows = await conn.fetch(
        "SELECT vehicle_id, status, count(*) AS n FROM plan_stops"
        " WHERE plan_id = $1 AND kind = 'bin' GROUP BY vehicle_id, status",
        plan_id,
    )
    counts: dict[str, dict[str, int]] = {}
    for r in rows:
        counts.setdefault(r["vehicle_id"], {})[r["status"]] = r["n"]
    by_vehicle = {v: StopCounts(**c) for v, c in sorted(counts.items())}
    overall = StopCounts(
        sum(c.planned for c in by_vehicle.values()),
        sum(c.emptied for c in by_vehicle.values()),
        sum(c.skipped for c in by_vehicle.values()),
    )
    return PlanProgress(plan_id, overall, by_vehicle)


async def load_readings(
    conn: asyncpg.Connection, since: datetime, until: datetime | None = None
) -> ReadingArrays:
    """Fill readings observed in ``[since, until)`` as columns, ordered by sensor and time."""
    rows = await conn.fetch(
        "SELECT sensor_id, extract(epoch FROM observed_at)::float8 AS t, filling_level"
        " FROM fill_readings WHERE observed_at >= $1 AND ($2::timestamptz IS NULL"
        " OR observed_at < $2) ORDER BY sensor_id, observed_at",
        since,
        until,
    )
    return ReadingArrays(
        np.array([r[0] for r in rows], dtype=str),
        np.array([r[1] for r in rows], dtype=np.float64),
        np.array([r[2] for r in rows], dtype=np.float64),
    )


async def stop_reports(conn: asyncpg.Connection, plan_id: int) -> dict[str, list[StopReport]]:
    """Every truck's ordered stops in plan ``plan_id`` with their reported status."""
    rows = await conn.fetch(
        "SELECT * FROM plan_stops WHERE plan_id = $1 ORDER BY vehicle_id, seq", plan_id
    )
    out: dict[str, list[StopReport]] = {}
    for r in rows:
        out.setdefault(r["vehicle_id"], []).append(
            StopReport(
                _stop(r), r["status"], r["reported_at"], r["fill_observed"], r["skip_reason"]
            )
        )
    return out


async def done_bins(conn: asyncpg.Connection, plan_date: date) -> set[str]:
    """Bins reported emptied or skipped in any accepted plan for ``plan_date``."""
    rows = await conn.fetch(
        "SELECT DISTINCT s.bin_id FROM plan_stops s JOIN plans p USING (plan_id)"
        " WHERE p.plan_date = $1 AND p.status = 'accepted' AND s.kind = 'bin'"
        " AND s.status <> 'planned'",
        plan_date,
    )
    return {r[0] for r in rows}
