"""Finding the plan a request means and shaping stored routes for the API (adapter)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg

from api.schemas.routes import ProgressPublic, RoutePublic, StopPublic
from core.db import plans
from core.db.plans import plan_date_of
from core.db.stop_reports import route_for_vehicle
from core.reports import StopReport


def today(tz: str) -> date:
    """Today's date in the city's time zone ``tz``."""
    return datetime.now(ZoneInfo(tz)).date()


async def current_plan_id(
    conn: asyncpg.Connection | asyncpg.Pool, day: date | None, tz: str
) -> int:
    """The newest accepted plan for ``day``; without a day, for the latest planned day up to
    tomorrow in ``tz`` (a simulated day may lie in the past). :class:`PlanNotFound` if none."""
    up_to = None if day is not None else today(tz) + timedelta(days=1)
    return await plans.current_plan_id(conn, day, up_to=up_to)


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
