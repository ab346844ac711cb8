"""Store adapter for collection plans: save, load, find the current plan, route geometry.

Tables from ``migrations/0002_plans.sql`` (route geometry: ``0005_route_geometry.sql``). A plan
is written in one transaction; only ``accepted`` plans are current (:func:`current_plan_id`,
:func:`latest_plan`) and can have stops reported (:mod:`core.db.stop_reports`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

import asyncpg

from core.plan import DayPlan, Line, PlanTotals, Stop, StopKind, VehicleRoute


class PlanNotFound(LookupError):
    """No (accepted) plan with that id or for that date."""


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


# --- reading ----------------------------------------------------------------------------------


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
        by_vehicle.setdefault(s["vehicle_id"], []).append(stop_from_row(s))
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


def stop_from_row(r: Mapping[str, Any]) -> Stop:
    """A ``plan_stops`` row as a :class:`~core.plan.Stop`."""
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


async def current_plan_id(
    conn: asyncpg.Connection | asyncpg.Pool, day: date | None = None, *, up_to: date | None = None
) -> int:
    """The newest accepted plan for ``day``; without a day, for the latest planned day (up to
    ``up_to`` when given). :class:`PlanNotFound` if there is none."""
    plan_id = await conn.fetchval(
        "SELECT plan_id FROM plans WHERE status = 'accepted'"
        " AND ($1::date IS NULL OR plan_date = $1) AND ($2::date IS NULL OR plan_date <= $2)"
        " ORDER BY plan_date DESC, created_at DESC, plan_id DESC LIMIT 1",
        day,
        up_to,
    )
    if plan_id is None:
        if day is not None:
            raise PlanNotFound(f"no accepted plan for {day.isoformat()}.")
        where = f" for any day up to {up_to.isoformat()}" if up_to is not None else ""
        raise PlanNotFound(f"no accepted plan{where}.")
    return int(plan_id)


async def latest_plan(conn: asyncpg.Connection, plan_date: date) -> DayPlan:
    """The most recent accepted plan for ``plan_date``; :class:`PlanNotFound` if none."""
    return await load_plan(conn, await current_plan_id(conn, plan_date))


async def plan_date_of(conn: asyncpg.Connection | asyncpg.Pool, plan_id: int) -> date:
    """The date plan ``plan_id`` is for; :class:`PlanNotFound` if there is no such plan."""
    d: date | None = await conn.fetchval("SELECT plan_date FROM plans WHERE plan_id = $1", plan_id)
    if d is None:
        raise PlanNotFound(f"no plan {plan_id}")
    return d


async def route_vehicle_ids(conn: asyncpg.Connection | asyncpg.Pool, plan_id: int) -> list[str]:
    """The vehicles with a route in plan ``plan_id``, by id."""
    rows = await conn.fetch(
        "SELECT vehicle_id FROM plan_routes WHERE plan_id = $1 ORDER BY vehicle_id", plan_id
    )
    return [r[0] for r in rows]
