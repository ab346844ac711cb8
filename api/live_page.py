"""The planners' live map page in Danish or English: layer names and tooltip words, the proof of
service as map views, and the overlay panel with the bin alerts and a legend that tells every
status by shape or label as well as colour (pure shaping of what the planner router loaded)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from api.alert_texts import alerts_html
from api.i18n import Lang, t
from api.schemas.plans import PlanSummaryPublic
from core.plan import Line
from fleet.adherence_types import AdherenceRun, PlanAdherence
from fleet.alerts.types import Alert
from maps.colours import (
    ALERT_COLOUR,
    BIN_STATUS_COLOURS,
    BIN_STATUS_RADIUS,
    OFF_ROUTE_COLOUR,
    STATUS_COLOURS,
    STOP_STATUS_STYLE,
    visit_colour,
)
from maps.layers import ALERT_SYMBOL, BIN_LABELS, VISIT_SYMBOLS
from maps.views import VisitView

Stored = tuple[AdherenceRun, PlanAdherence]
# the map's label -> the text key (layer names, then the proof of service's states)
_LABELS = {"bins": "bins", "routes": "layer_routes", "adherence": "adherence"}
_LABELS |= {k: k for k in ("vehicles", "served", "missed", "out_of_sequence", "unplanned")}
_LABELS["off_route"] = "off_route"
_LABELS |= {k: k for k in BIN_LABELS}  # the bins' tooltip words and the alerts layer


def map_labels(lang: Lang) -> dict[str, str]:
    """The live map's layer names and proof-of-service states in ``lang``."""
    return {k: t(lang, key) for k, key in _LABELS.items()}


def visit_views(stored: Stored | None, tz: str) -> list[VisitView]:
    """Every truck's bin visits as map views, service times in local ``HH:MM``."""
    if stored is None:
        return []
    zone = ZoneInfo(tz)
    return [
        VisitView(
            v.vehicle_id,
            v.bin_id,
            v.lon,
            v.lat,
            v.outcome.value,
            v.in_sequence,
            "" if v.served_at is None else v.served_at.astimezone(zone).strftime("%H:%M"),
        )
        for v in stored[1].visits()
    ]


def off_route_lines(stored: Stored | None) -> list[Line]:
    """Where the trucks drove off their routes, (lon, lat) polylines."""
    return [] if stored is None else [ln for tr in stored[1].trucks for ln in tr.off_route_lines]


def live_panel(
    summary: PlanSummaryPublic | None,
    n_routes: int,
    n_vehicles: int,
    stored: Stored | None,
    lang: Lang,
    tz: str,
    query: dict[str, str] | None = None,
    alerts: Sequence[Alert] | None = None,
) -> str:
    """The panel over the live map: the plan's progress, its proof of service when computed, a
    link to the page in the other language (keeping ``query``), the bin alerts (when given), the
    legend, the summary as page data."""
    if summary is None:
        info = escape(t(lang, "no_plan"))
    else:
        p = summary.progress
        progress = t(lang, "progress", emptied=p.emptied, skipped=p.skipped, planned=p.planned)
        info = (
            f"<b>Plan {summary.plan_id}</b> ({summary.plan_date}): "
            f"<span id='progress' data-emptied='{p.emptied}'>{escape(progress)}</span> · "
            f"{summary.totals.get('km', 0):.0f} km · {n_routes} {escape(t(lang, 'routes'))} · "
            f"{n_vehicles} {escape(t(lang, 'trucks'))}<br>{_adherence_line(stored, lang, tz)}"
        )
    other = Lang.DA if lang == Lang.EN else Lang.EN
    link = f"?{escape(urlencode({**(query or {}), 'lang': other.value}))}"
    data = json.dumps(summary.model_dump(mode="json") if summary else None).replace("<", "\\u003c")
    listed = "" if alerts is None else alerts_html(alerts, lang, tz)
    return (
        f"{info} <a class='lang-switch' lang='{other.value}' href='{link}'>"
        f"{escape(t(lang, 'lang_other'))}</a>{listed}{legend_html(lang)}"
        f"<script>window.cityopsSummary = {data};</script>"
    )


def circle_mark(radius: int, fill: str, stroke: str, dashed: bool = False) -> str:
    d = 2 * radius + 4
    dash = " stroke-dasharray='3 3'" if dashed else ""
    return (
        f"<svg width='{d}' height='{d}' aria-hidden='true'><circle cx='{d / 2}' cy='{d / 2}'"
        f" r='{radius}' fill='{fill}' stroke='{stroke}' stroke-width='2'{dash}/></svg>"
    )


def stop_mark(status: str) -> str:
    """A route stop's mark in a legend: its size, dash and colour on the map."""
    radius, dash = STOP_STATUS_STYLE[status]
    return circle_mark(radius, STATUS_COLOURS[status], "#1565c0", dash is not None)


def _symbol(text: str, colour: str) -> str:
    return f"<b style='color:{colour}' aria-hidden='true'>{text}</b>"


def legend_html(lang: Lang) -> str:
    """The live map's legend (collapsed): each status by its shape or symbol, colour and name,
    so that nothing is told by colour alone."""

    def item(mark: str, key: str, label: str) -> str:
        return f"<li data-legend='{key}'>{mark} {escape(label)}</li>"

    bins = [
        item(
            circle_mark(
                BIN_STATUS_RADIUS[s], BIN_STATUS_COLOURS[s], BIN_STATUS_COLOURS[s], s == "unknown"
            ),
            f"bin-{s}",
            t(lang, f"bin_{s}"),
        )
        for s in ("low", "filling", "full", "unknown")
    ]
    stops = [
        item(stop_mark(s), f"stop-{s}", t(lang, f"stop_{s}"))
        for s in ("planned", "emptied", "skipped")
    ]
    proof = [
        item(_symbol(VISIT_SYMBOLS[s], visit_colour(s)), f"visit-{s}", t(lang, s))
        for s in ("served", "missed", "out_of_sequence", "unplanned")
    ]
    proof.append(item(_symbol("╌", OFF_ROUTE_COLOUR), "off-route", t(lang, "off_route")))
    other = [
        item(_symbol(ALERT_SYMBOL, ALERT_COLOUR), "alert", t(lang, "legend_alert")),
        item(circle_mark(7, "#ffeb3b", "#000000"), "vehicle", t(lang, "legend_vehicle")),
    ]
    groups = (
        (t(lang, "legend_bins"), bins),
        (t(lang, "legend_stops"), stops),
        (t(lang, "adherence"), proof),
        ("", other),
    )
    body = "".join(
        (f"<div>{escape(title)}</div>" if title else "")
        + f"<ul style='list-style:none;margin:0 0 .3em;padding-left:.5em'>{''.join(items)}</ul>"
        for title, items in groups
    )
    return f"<details id='legend'><summary>{escape(t(lang, 'legend'))}</summary>{body}</details>"


def _adherence_line(stored: Stored | None, lang: Lang, tz: str) -> str:
    if stored is None:
        return f"<span id='adherence'>{escape(t(lang, 'no_adherence'))}</span>"
    run, result = stored
    s = result.totals
    text = t(
        lang,
        "adherence_line",
        at=run.gps_until.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M"),
        served=s.served,
        planned=s.planned,
        missed=s.missed,
        not_visited=len(result.not_visited),
        out=s.out_of_sequence,
        off_km=f"{s.off_route_km:.1f}",
    )
    return (
        f"<span id='adherence' data-served='{s.served}' data-missed='{s.missed}'>"
        f"{escape(text)}</span>"
    )
