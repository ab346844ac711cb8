"""The planners' day-plan page (cookie session, plain HTML forms, Danish or English): generate
or re-plan the day as a job and watch it, see the plan's key figures, force bins in or out, and
the plan on a map with a legend and its routes as text.

Forms post with the SameSite=Strict session cookie, which a browser never sends from another
site; a post whose Origin header names another site is refused as well."""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse

from api.deps import PlannerDep, StateDep
from api.html import page
from api.i18n import Lang, t
from api.live import route_views
from api.live_page import map_labels
from api.map_legend import stops_legend
from api.page_shell import PLANNER_NAV, PageLang, shell, switch_href
from api.plan_access import current_plan_id, today
from api.planner_page_html import plan_html, planner_body
from api.routers.planner import _check_id, _summary, generate_plan
from api.schemas.plans import PlanCreate
from core.db.overrides import Override, clear_override, overrides_for, set_override
from core.domain import UnknownBin
from maps.pages import operations_map
from maps.views import RouteView


async def same_origin(request: Request) -> None:
    """403 when a form post comes from another site: the browser says so (Sec-Fetch-Site) or
    its Origin names another host (the pages' no-referrer policy makes same-origin posts send
    ``Origin: null``)."""
    origin = request.headers.get("origin")
    own = f"{request.url.scheme}://{request.headers.get('host', '')}"
    fetch_site = request.headers.get("sec-fetch-site", "")
    if fetch_site in ("cross-site", "same-site") or origin not in (None, "null", own):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "cross-site form post refused")


router = APIRouter(prefix="/planner", tags=["pages"])
posts = APIRouter(prefix="/planner/page", tags=["pages"], dependencies=[Depends(same_origin)])
DayQ = Annotated[date | None, Query(description="plan date (default: latest planned day)")]
JobQ = Annotated[str, Query(max_length=32, pattern=r"^[0-9a-f]*$", description="a plan job")]
ErrorQ = Annotated[str, Query(max_length=80, description="a bin id the form did not find")]
DayF = Annotated[date, Form()]
BinF = Annotated[str, Form(min_length=1, max_length=64)]


def _back(lang: Lang, day: date, **extra: str) -> RedirectResponse:
    query = urlencode({"day": day.isoformat(), **extra, "lang": lang.value})
    return RedirectResponse(f"/planner?{query}", status_code=status.HTTP_303_SEE_OTHER)


@router.get("", response_class=HTMLResponse)
async def planner_page(
    request: Request,
    user: PlannerDep,
    state: StateDep,
    lang: PageLang,
    day: DayQ = None,
    job: JobQ = "",
    unknown_bin: ErrorQ = "",
) -> HTMLResponse:
    """The day's plan: generate or re-plan it, its key figures, bins forced in or out, links to
    the plan map and the live map. While a job runs the page refreshes itself."""
    tz = state.config.timezone
    summary = None
    async with state.pool.acquire() as conn:
        try:
            pid = await current_plan_id(conn, day, tz)
            summary = (await _summary(conn, pid))[1]
        except LookupError:
            pass
        shown = day or (summary.plan_date if summary else today(tz))
        forced = await overrides_for(conn, shown)
    running = await state.jobs.get(job) if job else None
    head = ""
    if running is not None and running.status in ("queued", "running"):
        head = '<meta http-equiv="refresh" content="2">'
    error = t(lang, "unknown_bin", bin=unknown_bin) if unknown_bin else ""
    body = planner_body(shown, summary, running, job, forced, lang, error)
    title = f"{t(lang, 'planner_title')} {shown.isoformat()}"
    return HTMLResponse(shell(request, lang, title, body, nav=PLANNER_NAV, head=head))


@posts.post("/plans", response_class=RedirectResponse, status_code=status.HTTP_303_SEE_OTHER)
async def generate_from_page(
    request: Request,
    user: PlannerDep,
    state: StateDep,
    lang: PageLang,
    plan_date: DayF,
    time_limit_s: Annotated[float, Form(ge=1, le=600)] = 30,
    replan: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    """The page's form post: start the plan (or re-plan) job, then show the page watching it."""
    body = PlanCreate(plan_date=plan_date, time_limit_s=time_limit_s, replan=replan)
    job = await generate_plan(body, user, state, request)
    return _back(lang, plan_date, job=job.job_id)


@posts.post("/overrides", response_class=RedirectResponse, status_code=status.HTTP_303_SEE_OTHER)
async def override_from_page(
    user: PlannerDep,
    state: StateDep,
    lang: PageLang,
    plan_date: DayF,
    bin_id: BinF,
    mode: Annotated[str, Form(pattern="^(include|exclude)$")],
) -> RedirectResponse:
    """The page's form post: force a bin in or out of the date's next plan."""
    try:
        await set_override(state.pool, Override(plan_date, bin_id.strip(), mode, user.username))
    except UnknownBin:
        return _back(lang, plan_date, unknown_bin=bin_id.strip()[:80])
    return _back(lang, plan_date)


@posts.post(
    "/overrides/delete", response_class=RedirectResponse, status_code=status.HTTP_303_SEE_OTHER
)
async def clear_from_page(
    user: PlannerDep, state: StateDep, lang: PageLang, plan_date: DayF, bin_id: BinF
) -> RedirectResponse:
    """The page's form post: remove a forced inclusion or exclusion (gone already: no error)."""
    await clear_override(state.pool, plan_date, bin_id)
    return _back(lang, plan_date)


def _routes_table(routes: list[RouteView], lang: Lang) -> str:
    rows = []
    for r in routes:
        counts = {s: sum(x.status == s for x in r.stops) for s in ("planned", "emptied", "skipped")}
        stops = ", ".join(f"{x.seq} {x.bin_id} ({t(lang, 'stop_' + x.status)})" for x in r.stops)
        rows.append(
            f'<tr data-vehicle="{escape(r.vehicle_id)}"><th scope="row">{escape(r.vehicle_id)}'
            f"</th><td>{counts['planned']}</td><td>{counts['emptied']}</td>"
            f"<td>{counts['skipped']}</td><td><small>{escape(stops)}</small></td></tr>"
        )
    head = "".join(
        f'<th scope="col">{escape(h)}</th>'
        for h in (
            t(lang, "trucks"),
            t(lang, "stop_planned"),
            t(lang, "stop_emptied"),
            t(lang, "stop_skipped"),
            t(lang, "stops"),
        )
    )
    return (
        f'<table id="routes"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


@router.get("/plans/{plan_id}/map", response_class=HTMLResponse)
async def plan_map_page(
    request: Request, plan_id: int, user: PlannerDep, state: StateDep, lang: PageLang
) -> HTMLResponse:
    """A plan on a map (routes, numbered stops by status) with its key figures, a legend and its
    routes as a table, in Danish or English."""
    _check_id(plan_id)
    cfg = state.config
    async with state.pool.acquire() as conn:
        summary: Any = (await _summary(conn, plan_id))[1]
        routes = await route_views(conn, plan_id)
    m = operations_map(
        [],
        routes,
        [],
        cfg.static_prefix,
        cfg.tile_url,
        "/maps/streets.geojson",
        city_centre=cfg.map_centre,
        labels=map_labels(lang),
    )
    title = t(lang, "plan_map_title", plan_id=plan_id, day=summary.plan_date.isoformat())
    other = "da" if lang == Lang.EN else "en"
    panel = (
        f"<h1>{escape(title)}</h1><p><a href='/planner?day={summary.plan_date.isoformat()}"
        f"&amp;lang={lang.value}'>{escape(t(lang, 'nav_planner'))}</a> · "
        f"<a class='lang-switch' lang='{other}' href='{escape(switch_href(request, lang))}'>"
        f"{escape(t(lang, 'lang_other'))}</a></p>{plan_html(summary, lang)}"
        f"{stops_legend(lang)}{_routes_table(routes, lang)}"
    )
    return HTMLResponse(page(m, title, panel, lang.value))
