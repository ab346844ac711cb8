"""The planners' live map page in Danish or English: layer names, the proof of service as map
views, and the overlay panel (pure shaping of what the planner router loaded)."""

from __future__ import annotations

import json
from html import escape
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from api.i18n import Lang, t
from api.schemas.plans import PlanSummaryPublic
from core.plan import Line
from fleet.adherence_types import AdherenceRun, PlanAdherence
from maps.views import VisitView

Stored = tuple[AdherenceRun, PlanAdherence]
# the map's label -> the text key (layer names, then the proof of service's states)
_LABELS = {"bins": "bins", "routes": "layer_routes", "adherence": "adherence"}
_LABELS |= {k: k for k in ("vehicles", "served", "missed", "out_of_sequence", "unplanned")}
_LABELS["off_route"] = "off_route"


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
) -> str:
    """The panel over the live map: the plan's progress, its proof of service when computed, a
    link to the page in the other language (keeping ``query``), the summary as page data."""
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
    return (
        f"{info} <a href='{link}'>{other.value}</a><script>window.cityopsSummary = {data};</script>"
    )


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
