"""Store adapter for the fleet's daily aggregates (tables from
``migrations/0009_fleet_aggregates.sql``; the types are :mod:`fleet.aggregate_types`).

Saving a day replaces that day's previous aggregates in one transaction (idempotent per day).
Rows name vehicles by pseudonym only. Reads per vehicle (``group="vehicle"``, the vehicle-days
behind utilisation) require an actor and a purpose and write ``access_log`` in the read's
transaction; totals per kind, district or hour are not logged.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

import asyncpg

from core.db.access_log import log_access
from fleet.aggregate_types import DayAggregates, Usage, VehicleDay

_USAGE = ("km", "driving_s", "idling_s", "service_s", "parked_s", "co2_kg")
# group name -> its key column in fleet_aggregates (a fixed whitelist: never user text in SQL)
GROUPS = {"vehicle": "pseudonym", "kind": "kind", "district": "district", "hour": "hour"}
RESOURCE = "fleet_aggregates"


@dataclass(frozen=True, slots=True)
class AggregateRun:
    """When a day was computed and from how many fixes."""

    day: date
    timezone: str
    computed_at: datetime
    computed_by: str
    fixes: int


@dataclass(frozen=True, slots=True)
class GroupRow:
    """Totals of one group over a period: ``key`` is a pseudonym, a kind, a district or a local
    hour (as text); ``kind`` is set for vehicle groups; ``vehicles`` counts distinct vehicles."""

    key: str
    kind: str
    vehicles: int
    usage: Usage


def _usage(u: Usage) -> tuple[float, ...]:
    return tuple(getattr(u, f) for f in _USAGE)


async def save_day(
    conn: asyncpg.Connection, agg: DayAggregates, computed_by: str, computed_at: datetime
) -> None:
    """Store ``agg`` in place of the day's previous aggregates, in one transaction."""
    async with conn.transaction():
        await conn.execute("DELETE FROM fleet_aggregate_runs WHERE day = $1", agg.day)
        await conn.execute(
            "INSERT INTO fleet_aggregate_runs (day, timezone, computed_at, computed_by, fixes,"
            " params) VALUES ($1, $2, $3, $4, $5, $6::jsonb)",
            agg.day,
            agg.timezone,
            computed_at,
            computed_by,
            agg.fixes,
            json.dumps(agg.params.to_json()),
        )
        await conn.copy_records_to_table(
            "fleet_vehicle_days",
            columns=["day", "pseudonym", "kind", "fixes", *_USAGE, "shift_s", "in_shift_use_s"],
            records=[
                (
                    agg.day,
                    v.pseudonym,
                    v.kind,
                    v.fixes,
                    *_usage(v.usage),
                    v.shift_s,
                    v.in_shift_use_s,
                )
                for v in agg.vehicles
            ],
        )
        await conn.copy_records_to_table(
            "fleet_aggregates",
            columns=["day", "pseudonym", "kind", "district", "hour", *_USAGE],
            records=[
                (agg.day, c.pseudonym, c.kind, c.district, c.hour, *_usage(c.usage))
                for c in agg.cells
            ],
        )


async def load_runs(
    conn: asyncpg.Connection | asyncpg.Pool, since: date, until: date
) -> list[AggregateRun]:
    """The computed days in ``since..until`` (inclusive), by day."""
    rows = await conn.fetch(
        "SELECT day, timezone, computed_at, computed_by, fixes FROM fleet_aggregate_runs"
        " WHERE day BETWEEN $1 AND $2 ORDER BY day",
        since,
        until,
    )
    return [AggregateRun(*r) for r in rows]


async def load_groups(
    conn: asyncpg.Connection,
    since: date,
    until: date,
    group: str,
    *,
    kind: str | None = None,
    actor: str = "",
    purpose: str = "",
) -> list[GroupRow]:
    """Totals per ``group`` (vehicle, kind, district or hour) over the days ``since..until``
    (inclusive), of one ``kind`` when given, by key. ValueError for an unknown group, and for a
    per-vehicle read without an actor and a purpose (nothing read)."""
    column = GROUPS.get(group)
    if column is None:
        raise ValueError(f"group must be one of {', '.join(GROUPS)}, not {group!r}.")
    sums = ", ".join(f"sum({f})" for f in _USAGE)
    kind_col = "min(kind)" if group == "vehicle" else "''"
    sql = (
        f"SELECT {column}::text AS key, {kind_col} AS kind, count(DISTINCT pseudonym), {sums}"
        " FROM fleet_aggregates WHERE day BETWEEN $1 AND $2 AND ($3::text IS NULL OR kind = $3)"
        f" GROUP BY {column} ORDER BY {column}"
    )
    async with conn.transaction():
        if group == "vehicle":
            window = {"since": since.isoformat(), "until": until.isoformat(), "group": group}
            await log_access(conn, actor, purpose, RESOURCE, window)
        rows = await conn.fetch(sql, since, until, kind)
    return [GroupRow(r[0], r[1], r[2], Usage(*r[3:])) for r in rows]


async def load_vehicle_days(
    conn: asyncpg.Connection, since: date, until: date, *, actor: str, purpose: str
) -> list[tuple[date, VehicleDay]]:
    """Every stored vehicle-day in ``since..until`` (inclusive), by day and pseudonym; the read
    is access-logged (ValueError without an actor and a purpose)."""
    async with conn.transaction():
        window = {"since": since.isoformat(), "until": until.isoformat(), "group": "vehicle_days"}
        await log_access(conn, actor, purpose, RESOURCE, window)
        rows = await conn.fetch(
            "SELECT day, pseudonym, kind, fixes, km, driving_s, idling_s, service_s, parked_s,"
            " co2_kg, shift_s, in_shift_use_s FROM fleet_vehicle_days"
            " WHERE day BETWEEN $1 AND $2 ORDER BY day, pseudonym",
            since,
            until,
        )
    return [(r["day"], VehicleDay(r[1], r[2], r[3], Usage(*r[4:10]), r[10], r[11])) for r in rows]


async def stored_days(conn: asyncpg.Connection | asyncpg.Pool, days: Sequence[date]) -> set[date]:
    """Which of ``days`` have stored aggregates."""
    rows = await conn.fetch(
        "SELECT day FROM fleet_aggregate_runs WHERE day = ANY($1::date[])", list(days)
    )
    return {r["day"] for r in rows}
