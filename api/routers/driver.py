"""Drivers: their vehicles' routes as JSON, GPX and a mobile page; stop reports."""

from __future__ import annotations

from datetime import date, timedelta
from html import escape
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Query, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import PoolDep, StaffDep, StateDep, check_vehicle_access
from api.gpx import route_gpx
from api.html import page
from api.plan_access import current_plan_id, route_public
from api.schemas.routes import RoutePublic, SkipReason, StopReportCreate, StopStatus
from api.state import ApiState
from core.db.plans import plan_date_of, route_geometries, route_vehicle_ids
from core.db.stop_reports import UnknownStop, report_stop, route_for_vehicle
from core.users import Role, User
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


def _route_page(user: User, r: RoutePublic) -> str:
    rows = []
    for s in r.stops:
        label = escape(f"{s.bin_id or s.site_id or ''} {s.street}".strip())
        eta = s.eta.astimezone().strftime("%H:%M")
        if s.kind != "bin":
            action = f"<i>{escape(s.kind)}</i>"
        elif s.status != "planned":
            extra = s.skip_reason or (
                f"{s.fill_observed:.0%}" if s.fill_observed is not None else ""
            )
            action = f"<b class='done'>{escape(s.status)}</b> {escape(extra)}"
        else:
            url = f"/driver/routes/{escape(r.vehicle_id)}/stops/{s.seq}/form?plan_id={r.plan_id}"
            fills = "".join(
                f"<option value='{v / 10:.1f}'>{v * 10}%</option>" for v in range(10, -1, -1)
            )
            reasons = "".join(f"<option>{x.value}</option>" for x in SkipReason)
            action = (
                f"<form method='post' action='{url}' class='inline'>"
                f"<input type='hidden' name='status' value='emptied'>"
                f"<select name='fill_observed' aria-label='fill'>{fills}</select>"
                f"<button class='emptied' data-seq='{s.seq}'>Emptied</button></form> "
                f"<form method='post' action='{url}' class='inline'>"
                f"<input type='hidden' name='status' value='skipped'>"
                f"<select name='skip_reason' aria-label='reason'>{reasons}</select>"
                f"<button class='skipped'>Skip</button></form>"
            )
        rows.append(
            f"<li id='stop-{s.seq}' class='{escape(s.status)}'><span class='seq'>{s.seq}"
            f"</span> {eta} {label}<div>{action}</div></li>"
        )
    p = r.progress
    vid = escape(r.vehicle_id)
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Route {vid}</title><style>
body{{font:16px/1.4 system-ui,sans-serif;margin:0;padding:.5em}}
ol{{list-style:none;padding:0}} li{{border-bottom:1px solid #ddd;padding:.5em 0}}
li.emptied,li.skipped{{color:#777}} .seq{{display:inline-block;min-width:2em;font-weight:bold}}
button,select{{font-size:1em;padding:.4em;margin:.2em 0}} form.inline{{display:inline}}
.done{{color:#2e7d32}}</style></head><body>
<h1>{vid} — plan {r.plan_id} ({r.plan_date})</h1>
<p id="progress">{p.emptied} emptied, {p.skipped} skipped, {p.planned} to go of {p.total}.
 <a href="/driver/routes/{vid}/map?plan_id={r.plan_id}">Map</a> ·
 <a href="/driver/routes/{vid}/route.gpx?plan_id={r.plan_id}">GPX</a> · {escape(user.username)}</p>
<ol>{"".join(rows)}</ol></body></html>"""


@router.get("/routes/{vehicle_id}/page", response_class=HTMLResponse, tags=["pages"])
async def route_page(
    vehicle_id: str,
    user: StaffDep,
    pool: PoolDep,
    state: StateDep,
    plan_id: PlanQ = None,
    day: DateQ = None,
) -> HTMLResponse:
    """Today's route as a mobile-friendly page with buttons to report each stop."""
    check_vehicle_access(user, vehicle_id)
    pid = await _plan(state, plan_id, day)
    async with pool.acquire() as conn:
        r = await route_public(conn, pid, vehicle_id)
    return HTMLResponse(_route_page(user, r))


@router.get("/routes/{vehicle_id}/map", response_class=HTMLResponse, tags=["pages"])
async def route_map_page(
    vehicle_id: str, user: StaffDep, state: StateDep, plan_id: PlanQ = None, day: DateQ = None
) -> HTMLResponse:
    """The route on a map with numbered stops, along the streets when its geometry is stored."""
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
    return HTMLResponse(page(m, f"Route {vehicle_id}"))


@router.post(
    "/routes/{vehicle_id}/stops/{seq}/form",
    response_class=RedirectResponse,
    status_code=status.HTTP_303_SEE_OTHER,
    tags=["pages"],
)
async def report_form(
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
    query = f"?plan_id={plan_id}" if plan_id is not None else ""
    return RedirectResponse(
        f"/driver/routes/{vehicle_id}/page{query}", status_code=status.HTTP_303_SEE_OTHER
    )
