"""Planners: generate plans as background jobs, inspect them, force bins in or out, and watch
live operations."""

from __future__ import annotations

import re
from datetime import date
from html import escape
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse

from api.alert_texts import alert_views
from api.deps import PlannerDep, PoolDep, StateDep
from api.html import page
from api.i18n import t
from api.jobs import Job
from api.live import bin_views, live_alerts, route_views, stored_adherence, vehicle_views
from api.live_page import live_panel, map_labels, off_route_lines, visit_views
from api.page_shell import PageLang
from api.plan_access import current_plan_id, progress_of, route_public, stop_public
from api.schemas.plans import (
    JobPublic,
    OverrideCreate,
    OverrideMode,
    OverridePublic,
    PlanCreate,
    PlanPublic,
    PlanSummaryPublic,
)
from api.schemas.routes import ProgressPublic, RoutePublic
from core.db.overrides import Override, clear_override, overrides_for, set_override
from core.db.plans import load_plan
from core.db.stop_reports import plan_progress, route_for_vehicle
from core.reports import StopReport
from maps.geojson import bins_geojson, routes_geojson
from maps.pages import operations_map
from routing.planning.job_params import PlanJobParams

router = APIRouter(
    prefix="/planner",
    tags=["planner"],
    responses={
        401: {"description": "not authenticated"},
        403: {"description": "planners only"},
        404: {"description": "no such plan, job, bin or route"},
    },
)

DateQ = Annotated[date | None, Query(description="plan date (default: latest planned day)")]
_JOB_ID = re.compile(r"[0-9a-f]{1,32}")


def _job_public(job: Job) -> JobPublic:
    return JobPublic(
        job_id=job.job_id,
        kind=job.kind,
        status=job.status,
        progress=job.progress,
        message=job.message,
        result=job.result,
        error=job.error,
        created_at=job.created_at,
        finished_at=job.finished_at,
    )


@router.post("/plans", response_model=JobPublic, status_code=status.HTTP_202_ACCEPTED)
async def generate_plan(
    body: PlanCreate, user: PlannerDep, state: StateDep, request: Request
) -> JobPublic:
    """Queue generating the plan for a date; a plan worker runs it; poll ``/planner/jobs/{id}``.

    With ``replan`` (and an optional ``now``) the rest of the date's current plan is re-planned:
    each truck starts from its latest GPS position (its depot if the fix is older than 30 min),
    bins already emptied or skipped are left out, and the result is stored as a new plan that
    records which plan it re-plans and when. Without a current plan it plans from scratch.
    The bins forced in or out are those of the moment the job is asked for."""
    pool = state.pool
    forced = await overrides_for(pool, body.plan_date)
    include = tuple(o.bin_id for o in forced if o.mode == "include")
    exclude = tuple(sorted({o.bin_id for o in forced if o.mode == "exclude"} - set(include)))
    replanning = body.replan
    if replanning:
        try:
            await current_plan_id(pool, body.plan_date, state.config.timezone)
        except LookupError:
            replanning = False
    now = body.now
    if now is not None and now.tzinfo is None:
        now = now.replace(tzinfo=ZoneInfo(state.config.timezone))
    params = PlanJobParams(
        body.plan_date,
        tz=state.config.timezone,
        actor=user.username,
        time_limit_s=body.time_limit_s,
        engine=body.engine.value,
        include=() if replanning else include,
        exclude=exclude,
        replan=replanning,
        now=now if replanning else None,
    )
    return _job_public(await state.jobs.submit(params))


@router.get("/jobs/{job_id}", response_model=JobPublic)
async def job_status(job_id: str, user: PlannerDep, state: StateDep) -> JobPublic:
    """A plan generation job's progress and, when done, the plan id."""
    job = await state.jobs.get(job_id) if _JOB_ID.fullmatch(job_id) else None
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no job {job_id[:40]!r}")
    return _job_public(job)


async def _summary(conn: Any, plan_id: int) -> tuple[Any, PlanSummaryPublic]:
    plan = await load_plan(conn, plan_id)
    prog = await plan_progress(conn, plan_id)
    o = prog.overall
    totals = plan.totals.to_json()
    km = float(totals.get("km", 0.0))
    bins = max(1, o.total)
    kpis = {
        "km_per_bin": round(km / bins, 3),
        "share_done": round(o.done / bins, 4),
        "bins_planned": float(o.total),
        "vehicles_used": float(len(plan.routes)),
    }
    summary = PlanSummaryPublic(
        plan_id=plan_id,
        plan_date=plan.plan_date,
        engine=plan.engine,
        status=plan.status,
        created_at=plan.created_at,
        totals=totals,
        kpis=kpis,
        progress=ProgressPublic(
            planned=o.planned, emptied=o.emptied, skipped=o.skipped, total=o.total
        ),
        violations=list(plan.violations),
    )
    return plan, summary


@router.get("/plans/current", response_model=PlanSummaryPublic)
async def current_plan(
    user: PlannerDep, pool: PoolDep, state: StateDep, day: DateQ = None
) -> PlanSummaryPublic:
    """The current accepted plan for a date: totals, KPIs and progress."""
    async with pool.acquire() as conn:
        pid = await current_plan_id(conn, day, state.config.timezone)
        return (await _summary(conn, pid))[1]


@router.get("/plans/{plan_id}", response_model=PlanPublic)
async def get_plan(plan_id: int, user: PlannerDep, pool: PoolDep) -> PlanPublic:
    """A plan with totals, KPIs, progress and every vehicle's route list."""
    _check_id(plan_id)
    async with pool.acquire() as conn:
        plan, summary = await _summary(conn, plan_id)
        routes = []
        for r in plan.routes:
            stops: list[StopReport] = await route_for_vehicle(conn, plan_id, r.vehicle_id)
            routes.append(
                RoutePublic(
                    plan_id=plan_id,
                    plan_date=plan.plan_date,
                    vehicle_id=r.vehicle_id,
                    progress=progress_of(stops),
                    stops=[stop_public(s) for s in stops],
                )
            )
    return PlanPublic(**summary.model_dump(), routes=routes)


@router.get("/plans/{plan_id}/vehicles/{vehicle_id}", response_model=RoutePublic)
async def plan_route(plan_id: int, vehicle_id: str, user: PlannerDep, pool: PoolDep) -> RoutePublic:
    """One vehicle's route list in a plan."""
    _check_id(plan_id)
    async with pool.acquire() as conn:
        return await route_public(conn, plan_id, vehicle_id)


@router.get(
    "/plans/{plan_id}/routes.geojson",
    response_model=dict,
    responses={200: {"content": {"application/geo+json": {}}}},
)
async def plan_routes_geojson(plan_id: int, user: PlannerDep, pool: PoolDep) -> dict[str, Any]:
    """A plan's routes (LineStrings) and ordered stops (Points) with their status."""
    _check_id(plan_id)
    async with pool.acquire() as conn:
        await load_plan(conn, plan_id)
        return routes_geojson(await route_views(conn, plan_id))


@router.get(
    "/bins.geojson", response_model=dict, responses={200: {"content": {"application/geo+json": {}}}}
)
async def bins_with_forecast(user: PlannerDep, state: StateDep) -> dict[str, Any]:
    """Every bin with its latest ``fillingLevel`` and forecast level."""
    async with state.pool.acquire() as conn:
        return bins_geojson(await bin_views(conn, state.config.database_url, state.config.timezone))


@router.get("/overrides/{plan_date}", response_model=list[OverridePublic])
async def list_overrides(plan_date: date, user: PlannerDep, pool: PoolDep) -> list[OverridePublic]:
    """Bins forced into or out of the plan for a date."""
    return [
        OverridePublic(
            plan_date=o.plan_date, bin_id=o.bin_id, mode=OverrideMode(o.mode), set_by=o.set_by
        )
        for o in await overrides_for(pool, plan_date)
    ]


@router.put("/overrides/{plan_date}/{bin_id}", response_model=OverridePublic)
async def put_override(
    plan_date: date, bin_id: str, body: OverrideCreate, user: PlannerDep, pool: PoolDep
) -> OverridePublic:
    """Force a bin into (``include``) or out of (``exclude``) the next plan for a date."""
    await set_override(pool, Override(plan_date, bin_id, body.mode.value, user.username))
    return OverridePublic(plan_date=plan_date, bin_id=bin_id, mode=body.mode, set_by=user.username)


@router.delete("/overrides/{plan_date}/{bin_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_override(plan_date: date, bin_id: str, user: PlannerDep, pool: PoolDep) -> None:
    """Remove a forced inclusion or exclusion."""
    if not await clear_override(pool, plan_date, bin_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no override for {bin_id!r} on {plan_date}")


@router.get("/live", response_class=HTMLResponse, tags=["pages"])
async def live_view(
    user: PlannerDep, state: StateDep, lang: PageLang, day: DateQ = None
) -> HTMLResponse:
    """Live operations map in Danish or English: bins by fill (fill colour) and forecast
    (outline) with their predicted-full time, trucks at their latest positions, the current
    plan's routes with stop status and, once computed, its proof of service (bins served, missed,
    out of sequence; off-route); a panel with the bin alerts and a legend."""
    cfg = state.config
    async with state.pool.acquire() as conn:
        bins = await bin_views(conn, cfg.database_url, cfg.timezone)
        vehicles = await vehicle_views(conn, user.username)
        try:
            pid: int | None = await current_plan_id(conn, day, cfg.timezone)
        except LookupError:
            pid = None
        routes = await route_views(conn, pid) if pid is not None else []
        summary = (await _summary(conn, pid))[1] if pid is not None else None
        proof = await stored_adherence(conn, pid, user.username) if pid is not None else None
        alerts = (await live_alerts(conn, cfg)).alerts
    m = operations_map(
        bins,
        routes,
        vehicles,
        cfg.static_prefix,
        cfg.tile_url,
        "/maps/streets.geojson",
        city_centre=cfg.map_centre,
        visits=visit_views(proof, cfg.timezone),
        off_route=off_route_lines(proof),
        labels=map_labels(lang),
        alerts=alert_views(alerts, lang, cfg.timezone),
    )
    query = {} if day is None else {"day": day.isoformat()}
    panel = live_panel(
        summary, len(routes), len(vehicles), proof, lang, cfg.timezone, query, alerts=alerts
    )
    heading = (
        f"<h1>{escape(t(lang, 'live_title'))}</h1><p><a href='/planner?lang={lang.value}'>"
        f"{escape(t(lang, 'nav_planner'))}</a></p>"
    )
    return HTMLResponse(page(m, t(lang, "live_title"), heading + panel, lang.value))


def _check_id(plan_id: int) -> None:
    if not 1 <= plan_id <= 2**62:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no plan {plan_id}")
