"""Bin alerts as words in Danish or English: one line of evidence per alert, the live map's
alert markers and the alert list of its panel (pure shaping; every bin id and street name
reaching the page goes through :func:`maps.layers.safe_text`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from api.i18n import Lang, t
from fleet.alerts.types import Alert, AlertKind, Evidence
from maps.layers import ALERT_SYMBOL, safe_text
from maps.views import AlertView

PANEL_LIMIT = 30  # alerts listed on the panel; the API has them all


def _when(v: Evidence, zone: ZoneInfo) -> str:
    return v.astimezone(zone).strftime("%Y-%m-%d %H:%M") if isinstance(v, datetime) else "?"


def _pct(v: Evidence) -> str:
    return f"{v:.0%}" if isinstance(v, int | float) and not isinstance(v, bool) else "?"


def _num(v: Evidence) -> str:
    return f"{v:.1f}" if isinstance(v, int | float) and not isinstance(v, bool) else "?"


def alert_text(a: Alert, lang: Lang, tz: str) -> str:
    """The alert's evidence in one line of plain text, times in local time of ``tz``."""
    e, zone = a.evidence, ZoneInfo(tz)
    if a.kind is AlertKind.OVERFLOW:
        key = "ev_overflow_planned" if e.get("planned") else "ev_overflow_unplanned"
        return t(
            lang,
            key,
            full=_when(e.get("predicted_full_at"), zone),
            visit=_when(e.get("visit_at"), zone),
            vehicle=e.get("vehicle_id", ""),
            plan=e.get("plan_id", ""),
        )
    if a.kind is AlertKind.SILENT:
        if e.get("last_reading_at") is None:
            return t(lang, "ev_silent_never")
        last = _when(e.get("last_reading_at"), zone)
        return t(lang, "ev_silent", last=last, hours=_num(e.get("hours_silent")))
    if a.kind is AlertKind.STUCK:
        return t(
            lang,
            "ev_stuck",
            value=_pct(e.get("value")),
            since=_when(e.get("since"), zone),
            hours=_num(e.get("hours")),
            n=e.get("readings"),
            expected=_pct(e.get("expected_change")),
        )
    if a.kind is AlertKind.JUMP:
        return t(
            lang,
            f"ev_{e.get('direction')}",
            a=_pct(e.get("from_level")),
            b=_pct(e.get("to_level")),
            c=_pct(e.get("back_level")),
            ta=_when(e.get("from_at"), zone),
            tb=_when(e.get("to_at"), zone),
            tc=_when(e.get("back_at"), zone),
            limit=_pct(e.get("max_plausible_rise")),
        )
    return t(
        lang,
        "ev_battery",
        battery=_pct(e.get("battery")),
        at=_when(e.get("observed_at"), zone),
        threshold=_pct(e.get("threshold")),
    )


def alert_views(alerts: Sequence[Alert], lang: Lang, tz: str) -> list[AlertView]:
    """One map marker per bin with alerts, listing them (kind: evidence)."""
    by_bin: dict[str, list[Alert]] = {}
    for a in alerts:
        by_bin.setdefault(a.bin_id, []).append(a)
    return [
        AlertView(
            b,
            found[0].street,
            found[0].lon,
            found[0].lat,
            tuple(dict.fromkeys(a.kind.value for a in found)),
            tuple(f"{t(lang, 'alert_' + a.kind.value)}: {alert_text(a, lang, tz)}" for a in found),
        )
        for b, found in by_bin.items()
    ]


def alerts_html(alerts: Sequence[Alert], lang: Lang, tz: str, limit: int = PANEL_LIMIT) -> str:
    """The panel's alert list: counts per kind in the summary of a ``<details>`` element (open
    when there are alerts), the first ``limit`` alerts, a link to all of them as JSON."""
    counts = {k: sum(a.kind is k for a in alerts) for k in AlertKind}
    summary = " · ".join(
        f"<span class='alert-count' data-kind='{k.value}' data-count='{n}'>"
        f"{n} {escape(t(lang, 'alert_' + k.value))}</span>"
        for k, n in counts.items()
        if n
    )
    if not alerts:
        summary = escape(t(lang, "alerts_none"))
    items = "".join(
        f"<li class='alert-item' data-kind='{a.kind.value}' data-bin='{safe_text(a.bin_id)}'>"
        f"{ALERT_SYMBOL} <b>{escape(t(lang, 'alert_' + a.kind.value))}</b> "
        f"{safe_text(a.bin_id)} {safe_text(a.street)}: {safe_text(alert_text(a, lang, tz))}</li>"
        for a in alerts[:limit]
    )
    more = len(alerts) - limit
    tail = f"<li>{escape(t(lang, 'alerts_more', n=more))}</li>" if more > 0 else ""
    link = f"<a href='/api/alerts'>{escape(t(lang, 'alerts_json'))}</a>"
    return (
        f"<details id='alerts' data-count='{len(alerts)}'{' open' if alerts else ''}>"
        f"<summary>{ALERT_SYMBOL} <b>{escape(t(lang, 'alerts'))}</b>: {summary}</summary>"
        f"<ul style='max-height:30vh;overflow:auto;margin:.3em 0;padding-left:1.2em'>"
        f"{items}{tail}</ul>{link}</details>"
    )
