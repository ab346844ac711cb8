"""Adapter orchestration of proof of service: a stored plan and its day's GPS → the plan's
adherence (:func:`fleet.adherence.plan_adherence`) → stored (:mod:`core.db.adherence`).

The GPS is read through the one logged reader of raw history (:func:`core.db.fleet.read_traces`,
purpose ``proof_of_service``), for the plan's trucks only and the plan's day: local midnight to
midnight in the plan's time zone (``inputs["day_config"]["tz"]``, UTC when the plan does not
say), widened to cover every route, and cut at ``now`` during the day. Bins not served by then
are "not visited (yet)"; each result records up to when it read (``gps_until``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from core.db.adherence import save_adherence
from core.db.fleet import read_traces
from core.db.inventory import load_bins
from core.db.plans import load_plan
from core.db.stop_reports import stop_reports
from core.plan import DayPlan
from core.reports import StopReport
from fleet.adherence import plan_adherence, traces_from_columns
from fleet.adherence_types import (
    AdherenceParams,
    AdherenceRun,
    DriverReport,
    PlanAdherence,
    ReportStatus,
)

log = logging.getLogger(__name__)

PURPOSE = "proof_of_service"  # the access_log purpose of the GPS read


def plan_tz(inputs: Mapping[str, Any]) -> str:
    """The plan's time zone as stored in its inputs (``day_config.tz``), else ``"UTC"``."""
    cfg = inputs.get("day_config")
    tz = cfg.get("tz") if isinstance(cfg, Mapping) else None
    return tz if isinstance(tz, str) and tz else "UTC"


def gps_window(plan: DayPlan) -> tuple[datetime, datetime]:
    """``[since, until)`` of the plan's day: local midnight to midnight in :func:`plan_tz`,
    widened to cover every route's start and end."""
    tz = ZoneInfo(plan_tz(plan.inputs))
    since = datetime.combine(plan.plan_date, time(), tz)
    until = datetime.combine(plan.plan_date + timedelta(days=1), time(), tz)
    if plan.routes:
        since = min(since, *(r.start for r in plan.routes))
        until = max(until, *(r.end + timedelta(seconds=1) for r in plan.routes))
    return since, until


def driver_reports(by_vehicle: Mapping[str, Sequence[StopReport]]) -> list[DriverReport]:
    """The reported (emptied or skipped) bin stops of :func:`core.db.stop_reports.stop_reports`."""
    reported = {s.value for s in ReportStatus}
    return [
        DriverReport(r.stop.bin_id, ReportStatus(r.status), r.reported_at, vehicle_id)
        for vehicle_id, stops in by_vehicle.items()
        for r in stops
        if r.stop.bin_id is not None and r.status in reported
    ]


async def compute_adherence(
    conn_or_pool: asyncpg.Connection | asyncpg.Pool,
    plan_id: int,
    *,
    actor: str,
    params: AdherenceParams | None = None,
    now: datetime | None = None,
) -> PlanAdherence:
    """Compute plan ``plan_id``'s proof of service from its day's GPS as of ``now`` (default:
    the current time) for ``actor`` (a planner's user name or the service's name), store it in
    place of any earlier result and return it.

    :class:`core.db.plans.PlanNotFound` for an unknown plan; ValueError for a rejected plan, an
    empty actor, a naive ``now`` or a ``now`` before the plan's day begins.
    """
    if not actor.strip():
        raise ValueError("computing adherence reads drivers' GPS history: it needs an actor.")
    at = now or datetime.now(UTC)
    if at.utcoffset() is None:
        raise ValueError("now must be timezone-aware.")
    if isinstance(conn_or_pool, asyncpg.Pool):
        async with conn_or_pool.acquire() as conn:
            return await _compute(conn, plan_id, actor, params or AdherenceParams(), at)
    return await _compute(conn_or_pool, plan_id, actor, params or AdherenceParams(), at)


async def _compute(
    conn: asyncpg.Connection, plan_id: int, actor: str, params: AdherenceParams, now: datetime
) -> PlanAdherence:
    plan = await load_plan(conn, plan_id)
    if plan.status != "accepted":
        raise ValueError(f"plan {plan_id} was rejected by the checker; it was never driven.")
    since, until = gps_window(plan)
    if now <= since:
        raise ValueError(
            f"plan {plan_id} is for {plan.plan_date.isoformat()}: nothing to check before its"
            f" day begins ({since.isoformat()})."
        )
    until = min(until, now)
    trucks = [r.vehicle_id for r in plan.routes]
    tr = await read_traces(conn, since, until, actor, PURPOSE, vehicle_ids=trucks)
    traces = traces_from_columns(tr.vehicle_ids, tr.vehicle, tr.t_s, tr.lon, tr.lat, tr.speed_kmh)
    reports = driver_reports(await stop_reports(conn, plan_id))
    inventory = {b.bin_id: (b.lon, b.lat) for b in await load_bins(conn)}
    result = await asyncio.to_thread(plan_adherence, plan, traces, params, reports, inventory)
    await save_adherence(conn, result, AdherenceRun(plan_id, now, until, actor))
    t = result.totals
    log.info(
        "adherence of plan %d up to %s: %d of %d bins served, %d missed, %d not visited, "
        "%d out of sequence, %d unplanned (%d fixes of %d trucks)",
        plan_id,
        until.isoformat(),
        t.served,
        t.planned,
        t.missed,
        len(result.not_visited),
        t.out_of_sequence,
        t.unplanned,
        len(tr.t_s),
        len(trucks),
    )
    return result
