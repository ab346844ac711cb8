"""The driver's route page in Danish or English: stops with their ETAs in the city's local time
and a form per stop (plain HTML forms, works without JavaScript); the route map's panel with the
stops as text and a legend (pure shaping of what the driver router loaded)."""

from __future__ import annotations

from html import escape
from zoneinfo import ZoneInfo

from api.i18n import Lang, t
from api.map_legend import stops_legend
from api.schemas.routes import RoutePublic, SkipReason

CSS = (
    "ol{list-style:none;padding:0}li{border-bottom:1px solid #ddd;padding:.5em 0}"
    "li.emptied,li.skipped{color:#555}.seq{display:inline-block;min-width:2em;font-weight:bold}"
    "button,select{margin:.2em 0}form.inline,label.inline{display:inline}.done{color:#1b5e20}"
)


def _e(lang: Lang, key: str, **kw: object) -> str:
    return escape(t(lang, key, **kw))


def _status(lang: Lang, status: str) -> str:
    key = f"stop_{status}"
    return t(lang, key) if key in ("stop_planned", "stop_emptied", "stop_skipped") else status


def _actions(r: RoutePublic, seq: int, lang: Lang) -> str:
    url = escape(
        f"/driver/routes/{r.vehicle_id}/stops/{seq}/form?plan_id={r.plan_id}&lang={lang.value}"
    )
    fills = "".join(f"<option value='{v / 10:.1f}'>{v * 10}%</option>" for v in range(10, -1, -1))
    reasons = "".join(f"<option>{x.value}</option>" for x in SkipReason)
    return (
        f"<form method='post' action='{url}' class='inline'>"
        "<input type='hidden' name='status' value='emptied'>"
        f"<label class='inline' for='fill-{seq}'>{_e(lang, 'fill_seen')}</label> "
        f"<select id='fill-{seq}' name='fill_observed'>{fills}</select> "
        f"<button class='emptied' data-seq='{seq}'>{_e(lang, 'emptied_btn')}</button></form> "
        f"<form method='post' action='{url}' class='inline'>"
        "<input type='hidden' name='status' value='skipped'>"
        f"<label class='inline' for='reason-{seq}'>{_e(lang, 'skip_reason')}</label> "
        f"<select id='reason-{seq}' name='skip_reason'>{reasons}</select> "
        f"<button class='skipped'>{_e(lang, 'skip_btn')}</button></form>"
    )


def route_body(r: RoutePublic, username: str, lang: Lang, tz: str) -> str:
    """The route page's ``<main>`` content: heading, progress, links, the stops."""
    zone = ZoneInfo(tz)
    rows = []
    for s in r.stops:
        label = escape(f"{s.bin_id or s.site_id or ''} {s.street}".strip())
        eta = s.eta.astimezone(zone).strftime("%H:%M")
        if s.kind != "bin":
            action = f"<i>{escape(s.kind)}</i>"
        elif s.status != "planned":
            extra = s.skip_reason or (
                f"{s.fill_observed:.0%}" if s.fill_observed is not None else ""
            )
            action = f"<b class='done'>{escape(_status(lang, s.status))}</b> {escape(extra)}"
        else:
            action = _actions(r, s.seq, lang)
        rows.append(
            f"<li id='stop-{s.seq}' class='{escape(s.status)}'><span class='seq'>{s.seq}"
            f"</span> <time class='eta'>{eta}</time> {label}<div>{action}</div></li>"
        )
    p = r.progress
    vid = escape(r.vehicle_id)
    q = f"plan_id={r.plan_id}&amp;lang={lang.value}"
    progress = t(
        lang,
        "route_progress",
        emptied=p.emptied,
        skipped=p.skipped,
        planned=p.planned,
        total=p.total,
    )
    return (
        f"<h1>{_e(lang, 'route_heading', vehicle=r.vehicle_id, plan_id=r.plan_id, day=r.plan_date)}"
        f"</h1><p id='progress'>{escape(progress)} "
        f"<a href='/driver/routes/{vid}/map?{q}'>{_e(lang, 'map')}</a> · "
        f"<a href='/driver/routes/{vid}/route.gpx?plan_id={r.plan_id}'>GPX</a> · "
        f"{escape(username)}</p><p><small>{_e(lang, 'route_times', tz=tz)}</small></p>"
        f"<h2>{_e(lang, 'stops')}</h2><ol>{''.join(rows)}</ol>"
    )


def route_map_panel(r: RoutePublic, lang: Lang, tz: str, switch: str) -> str:
    """The route map's panel: heading, a link back to the list, the language switch (``switch``
    is trusted HTML), the legend and the stops as text with local ETAs."""
    zone = ZoneInfo(tz)
    vid = escape(r.vehicle_id)
    items = "".join(
        f"<li>{s.seq}. {s.eta.astimezone(zone).strftime('%H:%M')} "
        f"{escape((s.bin_id or s.site_id or '') + ' ' + s.street)} "
        f"({escape(_status(lang, s.status))})</li>"
        for s in r.stops
    )
    return (
        f"<h1>{_e(lang, 'route_title', vehicle=r.vehicle_id)}</h1>"
        f"<p><a href='/driver/routes/{vid}/page?plan_id={r.plan_id}&amp;lang={lang.value}'>"
        f"{_e(lang, 'stop_list')}</a> · {switch}</p>{stops_legend(lang)}"
        f"<details><summary>{_e(lang, 'stops')} ({_e(lang, 'route_times', tz=tz)})</summary>"
        f"<ol style='padding-left:1em;list-style:none'>{items}</ol></details>"
    )
