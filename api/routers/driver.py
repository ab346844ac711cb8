"""Drivers: their vehicles' routes as JSON, GPX and a mobile page; stop reports."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import PoolDep, StaffDep, StateDep, check_vehicle_access
from api.driver_page import CSS as DRIVER_CSS
from api.driver_page import route_body, route_map_panel
from api.gpx import route_gpx
from api.html import page
from api.i18n import t
from api.page_shell import PageLang, shell, switch_link
from api.plan_access import current_plan_id, route_public
from api.schemas.routes import RoutePublic, SkipReason, StopReportCreate, StopStatus
from api.state import ApiState
from core.db.plans import plan_date_of, route_geometries, route_vehicle_ids
from core.db.stop_reports import UnknownStop, report_stop, route_for_vehicle
from core.users import Role
from maps.pages import route_map
from maps.views import RouteView, StopView

router = APIRouter(
    prefix="/driver",
    tags=["driver"],
    responses={
        401: {"description": "not authenticated"},
        403: {"description": "not your vehicle"},
        404: {"description": "no such plan, route or stop"},
    },
)

PlanQ = Annotated[int | None, Query(ge=1, le=2**62, description="plan id (default: current)")]
DateQ = Annotated[date | None, Query(description="plan date (default: latest planned day)")]


async def _plan(state: ApiState, plan_id: int | None, day: date | None) -> int:
    if plan_id is not None:
        return plan_id
    return await current_plan_id(state.pool, day, state.config.timezone)


@router.get("/routes", response_model=list[RoutePublic])
async def my_routes(
    user: StaffDep, pool: PoolDep, state: StateDep, plan_id: PlanQ = None, day: DateQ = None
) -> list[RoutePublic]:
    """The routes of the vehicles assigned to me in the current plan (planners: all)."""
    pid = await _plan(state, plan_id, day)
    if user.role == Role.PLANNER:
        vids = await route_vehicle_ids(pool, pid)
    else:
        vids = list(user.vehicle_ids)
    out = []
    async with pool.acquire() as conn:
        for v in vids:
            try:
                out.append(await route_public(conn, pid, v))
            except UnknownStop:
                continue  # an assigned truck without a route today
    return out


@router.get("/routes/{vehicle_id}", response_model=RoutePublic)
async def route(
    vehicle_id: str,
    user: StaffDep,
    pool: PoolDep,
    state: StateDep,
    plan_id: PlanQ = None,
    day: DateQ = None,
) -> RoutePublic:
    """One vehicle's ordered stops with their reported status."""
    check_vehicle_access(user, vehicle_id)
    pid = await _plan(state, plan_id, day)
    async with pool.acquire() as conn:
        return await route_public(conn, pid, vehicle_id)


@router.get(
    "/routes/{vehicle_id}/route.gpx",
    response_class=Response,
    responses={200: {"content": {"application/gpx+xml": {}}}},
)
async def route_as_gpx(
    vehicle_id: str,
    user: StaffDep,
    pool: PoolDep,
    state: StateDep,
    plan_id: PlanQ = None,
    day: DateQ = None,
) -> Response:
    """The route as GPX 1.1 (waypoints, a route and the road track if known) for navigation
    apps."""
    check_vehicle_access(user, vehicle_id)
    pid = await _plan(state, plan_id, day)
    async with pool.acquire() as conn:
        stops = await route_for_vehicle(conn, pid, vehicle_id)
        track = (await route_geometries(conn, pid, vehicle_id)).get(vehicle_id, ())
    return Response(
        route_gpx(vehicle_id, pid, stops, track),
        media_type="application/gpx+xml",
        headers={"Content-Disposition": f'attachment; filename="{vehicle_id}-{pid}.gpx"'},
    )


@router.post(
    "/routes/{vehicle_id}/stops/{seq}",
    response_model=RoutePublic,
    responses={400: {"description": "not a bin stop / bad report"}},
)
async def report(
    vehicle_id: str,
    seq: int,
    body: StopReportCreate,
    user: StaffDep,
    pool: PoolDep,
    state: StateDep,
    plan_id: PlanQ = None,
) -> RoutePublic:
    """Report a bin stop emptied (with the fill seen) or skipped (with a reason); updates the
    bin's state and the plan's progress. Returns the updated route."""
    check_vehicle_access(user, vehicle_id)
    if not 0 <= seq < 100_000:
        raise UnknownStop(f"no stop {seq}")
    async with pool.acquire() as conn:
        pid = await _plan(state, plan_id, None)
        if body.reported_at is not None:
            day = await plan_date_of(conn, pid)
            if body.reported_at.date() < day - timedelta(days=1):  # a day's slack for time zones
                raise HTTPException(
                    status.HTTP_400_BAD_REQUEST, f"reported_at is before the plan's day ({day})"
                )
        await report_stop(
            conn,
            pid,
            vehicle_id,
            seq,
            body.status.value,
            body.fill_observed,
            body.skip_reason.value if body.skip_reason else None,
            body.reported_at,
        )
        return await route_public(conn, pid, vehicle_id)


# --- the mobile page (cookie session, plain HTML forms: works without JavaScript) -------------


@router.get("/routes/{vehicle_id}/page", response_class=HTMLResponse, tags=["pages"])
async def route_page(
    request: Request,
    vehicle_id: str,
    user: StaffDep,
    pool: PoolDep,
    state: StateDep,
    lang: PageLang,
    plan_id: PlanQ = None,
    day: DateQ = None,
) -> HTMLResponse:
    """Today's route as a mobile-friendly page in Danish or English with buttons to report each
    stop; times in the city's local time."""
    check_vehicle_access(user, vehicle_id)
    pid = await _plan(state, plan_id, day)
    async with pool.acquire() as conn:
        r = await route_public(conn, pid, vehicle_id)
    tz = state.config.timezone
    title = t(lang, "route_title", vehicle=vehicle_id)
    body = route_body(r, user.username, lang, tz)
    return HTMLResponse(shell(request, lang, title, body, css=DRIVER_CSS))


@router.get("/routes/{vehicle_id}/map", response_class=HTMLResponse, tags=["pages"])
async def route_map_page(
    request: Request,
    vehicle_id: str,
    user: StaffDep,
    state: StateDep,
    lang: PageLang,
    plan_id: PlanQ = None,
    day: DateQ = None,
) -> HTMLResponse:
    """The route on a map with numbered stops, along the streets when its geometry is stored,
    with a legend and the stops as text (local times), in Danish or English."""
    check_vehicle_access(user, vehicle_id)
    pid = await _plan(state, plan_id, day)
    async with state.pool.acquire() as conn:
        r = await route_public(conn, pid, vehicle_id)
        path = (await route_geometries(conn, pid, vehicle_id)).get(vehicle_id, ())
    view = RouteView(
        vehicle_id,
        tuple(
            StopView(s.seq, s.bin_id or s.site_id or "", s.lon, s.lat, s.status) for s in r.stops
        ),
        path,
    )
    cfg = state.config
    m = route_map(
        view, cfg.static_prefix, cfg.tile_url, "/maps/streets.geojson", city_centre=cfg.map_centre
    )
    panel = route_map_panel(r, lang, cfg.timezone, switch_link(request, lang))
    return HTMLResponse(page(m, t(lang, "route_title", vehicle=vehicle_id), panel, lang.value))


@router.post(
    "/routes/{vehicle_id}/stops/{seq}/form",
    response_class=RedirectResponse,
    status_code=status.HTTP_303_SEE_OTHER,
    tags=["pages"],
)
async def report_form(
    request: Request,
    vehicle_id: str,
    seq: int,
    user: StaffDep,
    pool: PoolDep,
    state: StateDep,
    status_: Annotated[StopStatus, Form(alias="status")],
    fill_observed: Annotated[float | None, Form(ge=0, le=1)] = None,
    skip_reason: Annotated[SkipReason | None, Form()] = None,
    plan_id: PlanQ = None,
) -> RedirectResponse:
    """The page's form post: report a stop, then show the page again."""
    body = StopReportCreate(
        status=status_,
        fill_observed=fill_observed,
        skip_reason=skip_reason if status_ == StopStatus.SKIPPED else None,
    )
    await report(vehicle_id, seq, body, user, pool, state, plan_id)
    lang = request.query_params.get("lang")
    params = {"plan_id": plan_id, "lang": lang if lang in ("da", "en") else None}
    query = urlencode({k: v for k, v in params.items() if v is not None})
    query = f"?{query}" if query else ""
    return RedirectResponse(
        f"/driver/routes/{vehicle_id}/page{query}", status_code=status.HTTP_303_SEE_OTHER
    )
