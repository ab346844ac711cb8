"""The planners' day-plan page in Danish or English: generate or re-plan the day (a job whose
progress the page shows, refreshing itself: no script needed), the plan's key figures, bins
forced in or out, links to the plan map and the live map (pure shaping of what the router
loaded)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape
from typing import Any

from api.i18n import Lang, t
from api.jobs import Job
from api.schemas.plans import PlanSummaryPublic
from core.db.overrides import Override

# plan totals shown as key figures: (text key, how to read them from the totals)
_KPIS: tuple[tuple[str, Any], ...] = (
    ("kpi_km", lambda x: f"{float(x.get('km', 0)):.1f}"),
    ("kpi_trucks", lambda x: str(x.get("vehicles_used", 0))),
    ("kpi_bins", lambda x: str(x.get("bins_emptied", 0))),
    ("kpi_risk_visited", lambda x: str(x.get("overflows_avoided", 0))),
    ("kpi_risk_left", lambda x: str(x.get("overflows_remaining", 0))),
    (
        "kpi_duration",
        lambda x: f"{(float(x.get('drive_s', 0)) + float(x.get('service_s', 0))) / 3600:.1f}",
    ),
    ("kpi_co2", lambda x: f"{float(x.get('co2_kg', 0)):.1f}"),
    ("kpi_disposal", lambda x: str(x.get("disposal_trips", 0))),
)


def _e(lang: Lang, key: str, **kw: object) -> str:
    return escape(t(lang, key, **kw))


def job_html(job: Job | None, job_id: str, lang: Lang) -> str:
    """A job's state: a progress bar while it runs, the outcome when it is done."""
    if not job_id:
        return ""
    if job is None:
        return f'<p class="msg err" id="job" role="status">{_e(lang, "job_gone")}</p>'
    if job.status in ("queued", "running"):
        pct = f"{job.progress:.0%}"
        return (
            f'<div id="job" data-status="{escape(job.status)}" role="status">'
            f"<p>{_e(lang, 'job_running', message=job.message or '…', pct=pct)}</p>"
            f'<progress max="1" value="{job.progress:.3f}">{pct}</progress>'
            f"<p><small>{_e(lang, 'job_refresh')}</small></p></div>"
        )
    if job.status == "failed":
        return (
            f'<p class="msg err" id="job" data-status="failed" role="alert">'
            f"{_e(lang, 'job_failed', error=job.error or '')}</p>"
        )
    result = job.result or {}
    done = _e(lang, "job_done", plan_id=result.get("plan_id", "?"), status=result.get("status"))
    return f'<p class="msg" id="job" data-status="done" role="status">{done}</p>'


def plan_html(summary: PlanSummaryPublic | None, lang: Lang) -> str:
    """The plan's heading, key figures (a table), progress, problems and map links."""
    if summary is None:
        return f'<p id="plan-none">{_e(lang, "plan_none")}</p>'
    s = summary
    rows = "".join(
        f'<tr data-kpi="{key}"><th scope="row">{_e(lang, key)}</th><td>{escape(get(s.totals))}'
        "</td></tr>"
        for key, get in _KPIS
    )
    p = s.progress
    progress = t(lang, "progress", emptied=p.emptied, skipped=p.skipped, planned=p.planned)
    rows += f"<tr><th scope='row'>{_e(lang, 'kpi_progress')}</th><td>{escape(progress)}</td></tr>"
    problems = ""
    if s.violations:
        items = "".join(f"<li>{escape(v)}</li>" for v in s.violations)
        problems = f"<h3>{_e(lang, 'violations')}</h3><ul>{items}</ul>"
    day = s.plan_date.isoformat()
    return (
        f'<section id="plan" data-plan-id="{s.plan_id}"><h2>'
        f"{_e(lang, 'plan_heading', plan_id=s.plan_id, engine=s.engine, status=s.status)}</h2>"
        f'<table id="kpis"><caption>{_e(lang, "kpis")}</caption>{rows}</table>{problems}'
        f'<p><a id="plan-map" href="/planner/plans/{s.plan_id}/map?lang={lang.value}">'
        f"{_e(lang, 'plan_map')}</a> · "
        f'<a id="live-map" href="/planner/live?day={day}&amp;lang={lang.value}">'
        f"{_e(lang, 'live_map')}</a></p></section>"
    )


def generate_form(day: date, lang: Lang) -> str:
    """The form that generates the day's plan or re-plans its rest (a POST, then the page)."""
    return (
        f'<form method="post" action="/planner/page/plans?lang={lang.value}" id="generate">'
        f'<label for="plan_date">{_e(lang, "plan_date")}</label>'
        f'<input id="plan_date" name="plan_date" type="date" required value="{day.isoformat()}">'
        f'<label for="time_limit_s">{_e(lang, "time_limit")}</label>'
        '<input id="time_limit_s" name="time_limit_s" type="number" min="1" max="600" value="30"'
        " required>"
        f'<p><button type="submit" name="replan" value="0">{_e(lang, "generate")}</button> '
        f'<button type="submit" name="replan" value="1" aria-describedby="replan-hint">'
        f"{_e(lang, 'replan')}</button></p>"
        f'<p id="replan-hint"><small>{_e(lang, "replan_hint")}</small></p></form>'
    )


def overrides_html(day: date, overrides: Sequence[Override], lang: Lang, error: str) -> str:
    """Bins forced in or out for ``day``: a table with a remove button each, and a form to add
    one."""
    action = f"/planner/page/overrides?lang={lang.value}"
    rows = "".join(
        f'<tr data-bin="{escape(o.bin_id)}"><td>{escape(o.bin_id)}</td>'
        f"<td>{_e(lang, o.mode)}</td><td>{escape(o.set_by)}</td><td>"
        f'<form method="post" action="/planner/page/overrides/delete?lang={lang.value}">'
        f'<input type="hidden" name="plan_date" value="{day.isoformat()}">'
        f'<input type="hidden" name="bin_id" value="{escape(o.bin_id)}">'
        f'<button type="submit" aria-label="{_e(lang, "remove")} {escape(o.bin_id)}">'
        f"{_e(lang, 'remove')}</button></form></td></tr>"
        for o in overrides
    )
    table = (
        f'<table id="overrides"><thead><tr><th scope="col">{_e(lang, "bin_id")}</th>'
        f'<th scope="col">{_e(lang, "mode")}</th><th scope="col">{_e(lang, "set_by")}</th>'
        f"<th></th></tr></thead><tbody>{rows}</tbody></table>"
        if overrides
        else f"<p>{_e(lang, 'overrides_none')}</p>"
    )
    err = f'<p class="msg err" role="alert">{escape(error)}</p>' if error else ""
    options = "".join(f'<option value="{m}">{_e(lang, m)}</option>' for m in ("include", "exclude"))
    return (
        f'<section id="override-section"><h2>{_e(lang, "overrides")} ({day.isoformat()})</h2>'
        f'{err}{table}<form method="post" action="{action}" id="override-form">'
        f'<input type="hidden" name="plan_date" value="{day.isoformat()}">'
        f'<label for="bin_id">{_e(lang, "bin_id")}</label>'
        '<input id="bin_id" name="bin_id" required maxlength="64">'
        f'<label for="mode">{_e(lang, "mode")}</label><select id="mode" name="mode">{options}'
        f'</select> <button type="submit">{_e(lang, "save")}</button></form></section>'
    )


def planner_body(
    day: date,
    summary: PlanSummaryPublic | None,
    job: Job | None,
    job_id: str,
    overrides: Sequence[Override],
    lang: Lang,
    error: str = "",
) -> str:
    """The page's ``<main>`` content."""
    return (
        f"<h1>{_e(lang, 'planner_title')}: {day.isoformat()}</h1>"
        f"{job_html(job, job_id, lang)}{generate_form(day, lang)}{plan_html(summary, lang)}"
        f"{overrides_html(day, overrides, lang, error)}"
    )
