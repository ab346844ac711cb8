"""Planners: the fleet's stored daily aggregates (per vehicle pseudonym, kind, district or local
hour), utilisation, unused vehicles, a CSV export and the ``/fleet`` page (Danish/English).

Periods are local days ``since..until`` inclusive (default: the week up to yesterday). Reads per
vehicle are access-logged (actor the planner, purpose ``fleet planning``).
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Header, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, Response

from api.csv_safe import safe_cell
from api.deps import PlannerDep, StateDep
from api.fleet_daily import DailyAggregation
from api.fleet_page import FleetView, fleet_page
from api.fleet_texts import negotiate
from api.i18n import Lang
from api.schemas.fleet import (
    AggregatesPublic,
    GroupTotalsPublic,
    UnusedListPublic,
    UnusedVehiclePublic,
    UtilisationListPublic,
    UtilisationPublic,
)
from core.db.fleet_aggregates import GroupRow, load_groups, load_runs, load_vehicle_days
from core.db.inventory import load_vehicles
from core.domain import VehicleKind
from fleet.utilisation import unused, utilisation

router = APIRouter(
    tags=["planner"],
    responses={
        400: {"description": "a bad period"},
        401: {"description": "not authenticated"},
        403: {"description": "planners only"},
    },
)
PURPOSE = "fleet planning"
MAX_DAYS = 366


class Group(StrEnum):
    VEHICLE = "vehicle"
    KIND = "kind"
    DISTRICT = "district"
    HOUR = "hour"


SinceQ = Annotated[date | None, Query(description="first local day (default: a week back)")]
UntilQ = Annotated[date | None, Query(description="last local day, inclusive (default: yesterday)")]
GroupQ = Annotated[Group, Query(description="vehicle, kind, district or hour")]
KindQ = Annotated[VehicleKind | None, Query(description="only this vehicle kind")]
LangQ = Annotated[Lang | None, Query(description="language of the page: da or en")]


def period(since: date | None, until: date | None, tz: str) -> tuple[date, date]:
    """The asked period with defaults; 400 with a message when it is empty, too long or outside
    the years 2000-2100."""
    for name, given in (("since", since), ("until", until)):
        if given is not None and not 2000 <= given.year <= 2100:  # before any date arithmetic
            raise HTTPException(status.HTTP_400_BAD_REQUEST, f"{name} must lie in 2000-2100")
    yesterday = datetime.now(ZoneInfo(tz)).date() - timedelta(days=1)
    until = until or (yesterday if since is None else min(since + timedelta(days=6), yesterday))
    since = since or until - timedelta(days=6)
    for name, d in (("since", since), ("until", until)):
        if not 2000 <= d.year <= 2100:
            raise HTTPException(status.HTTP_400_BAD_REQUEST, f"{name} must lie in 2000-2100")
    if until < since:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "until must not be before since")
    if (until - since).days + 1 > MAX_DAYS:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"at most {MAX_DAYS} days at once")
    return since, until


def _public(r: GroupRow) -> GroupTotalsPublic:
    u = r.usage
    return GroupTotalsPublic(
        key=r.key,
        kind=r.kind,
        vehicles=r.vehicles,
        km=round(u.km, 3),
        driving_h=round(u.driving_s / 3600, 4),
        idling_h=round(u.idling_s / 3600, 4),
        service_h=round(u.service_s / 3600, 4),
        parked_h=round(u.parked_s / 3600, 4),
        in_use_h=round(u.in_use_s / 3600, 4),
        co2_kg=round(u.co2_kg, 3),
    )


async def _aggregates(
    state: StateDep,
    user: PlannerDep,
    since: date | None,
    until: date | None,
    group: Group,
    kind: VehicleKind | None,
) -> AggregatesPublic:
    s, u = period(since, until, state.config.timezone)
    async with state.pool.acquire() as conn:
        runs = await load_runs(conn, s, u)
        rows = await load_groups(
            conn,
            s,
            u,
            group.value,
            kind=kind.value if kind else None,
            actor=user.username,
            purpose=PURPOSE,
        )
    return AggregatesPublic(
        since=s,
        until=u,
        timezone=state.config.timezone,
        group=group.value,
        kind=kind.value if kind else None,
        days_computed=[r.day for r in runs],
        rows=[_public(r) for r in rows],
    )


@router.get("/api/fleet/aggregates", response_model=AggregatesPublic)
async def fleet_aggregates(
    state: StateDep,
    user: PlannerDep,
    since: SinceQ = None,
    until: UntilQ = None,
    group: GroupQ = Group.KIND,
    kind: KindQ = None,
) -> AggregatesPublic:
    """Km, driving, idling, in-service, parked and in-use hours and CO2 per group over the
    period's computed days (``kind``: one vehicle kind only, e.g. street cleaners' hours in
    service per district)."""
    return await _aggregates(state, user, since, until, group, kind)


@router.get("/api/fleet/aggregates.csv", responses={200: {"content": {"text/csv": {}}}})
async def fleet_aggregates_csv(
    state: StateDep,
    user: PlannerDep,
    since: SinceQ = None,
    until: UntilQ = None,
    group: GroupQ = Group.KIND,
    kind: KindQ = None,
) -> Response:
    """The aggregates as CSV (one row per group; cells safe against formula injection)."""
    agg = await _aggregates(state, user, since, until, group, kind)
    fields = list(GroupTotalsPublic.model_fields)
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([group.value if f == "key" else f for f in fields])
    for row in agg.rows:
        w.writerow([safe_cell(v) for v in row.model_dump().values()])
    name = f"fleet_{group.value}_{agg.since}_{agg.until}.csv"
    return Response(
        buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _daily(request: Request) -> DailyAggregation:
    daily: DailyAggregation = request.app.state.fleet
    return daily


@router.get("/api/fleet/utilisation", response_model=UtilisationListPublic)
async def fleet_utilisation(
    state: StateDep, user: PlannerDep, since: SinceQ = None, until: UntilQ = None
) -> UtilisationListPublic:
    """Each vehicle's share of its shift time in use over the period, by kind, least used first
    (every day of the period counts as a shift day). Access-logged."""
    s, u = period(since, until, state.config.timezone)
    async with state.pool.acquire() as conn:
        runs = await load_runs(conn, s, u)
        days = await load_vehicle_days(conn, s, u, actor=user.username, purpose=PURPOSE)
    return UtilisationListPublic(
        since=s,
        until=u,
        days_computed=[r.day for r in runs],
        vehicles=[
            UtilisationPublic(
                pseudonym=x.pseudonym,
                kind=x.kind,
                days=x.days,
                shift_h=round(x.shift_h, 4),
                in_use_h=round(x.in_use_h, 4),
                in_shift_use_h=round(x.in_shift_use_h, 4),
                utilisation=None if x.share is None else round(x.share, 4),
                km=round(x.km, 3),
                co2_kg=round(x.co2_kg, 3),
            )
            for x in utilisation(days)
        ],
    )


@router.get("/api/fleet/unused", response_model=UnusedListPublic)
async def fleet_unused(
    request: Request, state: StateDep, user: PlannerDep, since: SinceQ = None, until: UntilQ = None
) -> UnusedListPublic:
    """Vehicles in use for no second of the period's computed days (fleet right-sizing), named
    by inventory id when still in the inventory."""
    s, u = period(since, until, state.config.timezone)
    async with state.pool.acquire() as conn:
        runs = await load_runs(conn, s, u)
        days = await load_vehicle_days(conn, s, u, actor=user.username, purpose=PURPOSE)
        inventory = await load_vehicles(conn)
    found = unused(days, inventory, _daily(request).job.key)
    return UnusedListPublic(
        since=s,
        until=u,
        days_computed=[r.day for r in runs],
        vehicles=[
            UnusedVehiclePublic(
                pseudonym=x.pseudonym,
                kind=x.kind,
                days=x.days,
                vehicle_id=x.vehicle_id,
                depot_id=x.depot_id,
            )
            for x in found
        ],
    )


@router.get("/fleet", response_class=HTMLResponse, tags=["pages"])
async def fleet_page_view(
    request: Request,
    state: StateDep,
    user: PlannerDep,
    since: SinceQ = None,
    until: UntilQ = None,
    lang: LangQ = None,
    accept_language: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> HTMLResponse:
    """The planners' fleet page: totals per kind, charts (inline SVG, works offline),
    utilisation and unused vehicles, in Danish or English (``lang``, else Accept-Language)."""
    chosen = negotiate(lang, accept_language)
    tz = state.config.timezone
    s, u = period(since, until, tz)
    daily = _daily(request)
    async with state.pool.acquire() as conn:
        runs = await load_runs(conn, s, u)
        by_kind = await load_groups(conn, s, u, "kind")
        cleaning = await load_groups(conn, s, u, "district", kind=VehicleKind.STREET_CLEANER.value)
        by_hour = await load_groups(conn, s, u, "hour")
        days = await load_vehicle_days(conn, s, u, actor=user.username, purpose=PURPOSE)
        inventory = await load_vehicles(conn)
    view = FleetView(
        s,
        u,
        tz,
        len(runs),
        by_kind,
        cleaning,
        by_hour,
        utilisation(days),
        unused(days, inventory, daily.job.key),
        daily.job.params.max_idle_s / 60,
    )
    query: dict[str, Any] = {
        k: v for k, v in request.query_params.items() if k in ("since", "until")
    }
    return HTMLResponse(fleet_page(view, chosen, query))
