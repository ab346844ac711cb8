"""Drivers' stop reports and plans' progress (adapter: PostgreSQL, table ``plan_stops``).

Only ``accepted`` plans can have stops reported. Reporting a bin ``emptied`` also records what the
driver saw in ``fill_readings`` (sensor and bin id: the bin's, ``src_partition``/``src_offset`` = -1
marking a driver report): the observed fill one second before the report, when given, and level 0
at the report, so the forecaster sees the emptying; ``bin_state`` moves to level 0 unless a newer
sensor reading is already there.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import asyncpg

from core.db.plans import PlanNotFound, stop_from_row
from core.plan import StopKind
from core.reports import PlanProgress, StopCounts, StopReport

REPORTABLE = ("emptied", "skipped")
DRIVER_REPORT_SRC = -1  # src_partition / src_offset of readings written from a driver's report


class UnknownStop(LookupError):
    """No such vehicle route or stop in the plan."""


# --- writing ----------------------------------------------------------------------------------


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
        "INSERT INTO fill_readings (sensor_id, bin_id, observed_at, filling_level, src_partition,"
        " src_offset) VALUES ($1, $1, $2, $3, $4, $5) ON CONFLICT (sensor_id, observed_at)"
        " DO UPDATE SET filling_level = EXCLUDED.filling_level",
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


async def _exists(conn: asyncpg.Connection, plan_id: int) -> None:
    if await conn.fetchval("SELECT 1 FROM plans WHERE plan_id = $1", plan_id) is None:
        raise PlanNotFound(f"no plan {plan_id}.")


def _report(r: asyncpg.Record) -> StopReport:
    return StopReport(
        stop_from_row(r), r["status"], r["reported_at"], r["fill_observed"], r["skip_reason"]
    )


async def route_for_vehicle(
    conn: asyncpg.Connection, plan_id: int, vehicle_id: str
) -> list[StopReport]:
    """The ordered stops of ``vehicle_id`` in plan ``plan_id`` with their reported status.

    :class:`PlanNotFound` for an unknown plan, :class:`UnknownStop` when the truck has no route.
    """
    await _exists(conn, plan_id)
    rows = await conn.fetch(
        "SELECT * FROM plan_stops WHERE plan_id = $1 AND vehicle_id = $2 ORDER BY seq",
        plan_id,
        vehicle_id,
    )
    if not rows:
        raise UnknownStop(f"plan {plan_id} has no route for vehicle {vehicle_id!r}.")
    return [_report(r) for r in rows]


async def stop_reports(conn: asyncpg.Connection, plan_id: int) -> dict[str, list[StopReport]]:
    """Every truck's ordered stops in plan ``plan_id`` with their reported status, by vehicle
    id in order."""
    rows = await conn.fetch(
        "SELECT * FROM plan_stops WHERE plan_id = $1 ORDER BY vehicle_id, seq", plan_id
    )
    out: dict[str, list[StopReport]] = {}
    for r in rows:
        out.setdefault(r["vehicle_id"], []).append(_report(r))
    return out


async def plan_progress(conn: asyncpg.Connection, plan_id: int) -> PlanProgress:
    """Bin stops planned, emptied and skipped, per truck and overall."""
    await _exists(conn, plan_id)
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


async def done_bins(conn: asyncpg.Connection, plan_date: date) -> set[str]:
    """Bins reported emptied or skipped in any accepted plan for ``plan_date``."""
    rows = await conn.fetch(
        "SELECT DISTINCT s.bin_id FROM plan_stops s JOIN plans p USING (plan_id)"
        " WHERE p.plan_date = $1 AND p.status = 'accepted' AND s.kind = 'bin'"
        " AND s.status <> 'planned'",
        plan_date,
    )
    return {r[0] for r in rows}
