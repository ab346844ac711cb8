"""Finding the plan a request means and shaping stored routes for the API (adapter)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg

from api.schemas.routes import ProgressPublic, RoutePublic, StopPublic
from core.db.plans import PlanNotFound, StopReport, route_for_vehicle

TZ = ZoneInfo("Europe/Copenhagen")


def today() -> date:
    return datetime.now(TZ).date()


async def current_plan_id(conn: asyncpg.Connection | asyncpg.Pool, day: date | None) -> int:
    """The newest accepted plan for ``day``; without a day, for the latest planned day up to
    tomorrow (a simulated day may lie in the past). :class:`PlanNotFound` if none."""
    if day is not None:
        plan_id = await conn.fetchval(
            "SELECT plan_id FROM plans WHERE plan_date = $1 AND status = 'accepted'"
            " ORDER BY created_at DESC, plan_id DESC LIMIT 1",
            day,
        )
        where = day.isoformat()
    else:
        plan_id = await conn.fetchval(
            "SELECT plan_id FROM plans WHERE status = 'accepted' AND plan_date <= $1"
            " ORDER BY plan_date DESC, created_at DESC, plan_id DESC LIMIT 1",
            today() + timedelta(days=1),
        )
        where = "any day up to tomorrow"
    if plan_id is None:
        raise PlanNotFound(f"no accepted plan for {where}")
    return int(plan_id)


async def plan_date_of(conn: asyncpg.Connection | asyncpg.Pool, plan_id: int) -> date:
    d = await conn.fetchval("SELECT plan_date FROM plans WHERE plan_id = $1", plan_id)
    if d is None:
        raise PlanNotFound(f"no plan {plan_id}")
    return d


def stop_public(r: StopReport) -> StopPublic:
    s = r.stop
    return StopPublic(
        seq=s.seq,
        kind=s.kind.value,
        bin_id=s.bin_id,
        site_id=s.site_id,
        street=s.street,
        lon=s.lon,
        lat=s.lat,
        eta=s.eta,
        departs_at=s.departs,
        status=r.status,
        reported_at=r.reported_at,
        fill_observed=r.fill_observed,
        skip_reason=r.skip_reason,
    )


def progress_of(stops: list[StopReport]) -> ProgressPublic:
    bins = [r for r in stops if r.stop.bin_id is not None]
    n = {k: sum(r.status == k for r in bins) for k in ("planned", "emptied", "skipped")}
    return ProgressPublic(**n, total=len(bins))


async def route_public(conn: asyncpg.Connection, plan_id: int, vehicle_id: str) -> RoutePublic:
    """One vehicle's stops with reports; LookupError subclasses if absent."""
    stops = await route_for_vehicle(conn, plan_id, vehicle_id)
    return RoutePublic(
        plan_id=plan_id,
        plan_date=await plan_date_of(conn, plan_id),
        vehicle_id=vehicle_id,
        progress=progress_of(stops),
        stops=[stop_public(r) for r in stops],
    )
