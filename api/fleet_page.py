"""The planners' fleet page in Danish or English: period form, totals per kind, inline SVG bar
charts (km and use per kind, street cleaning per district, use per local hour, utilisation) and
the unused vehicles (pure shaping of what the fleet router loaded)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from urllib.parse import urlencode

from api.fleet_texts import ft
from api.i18n import Lang, t
from api.page_shell import FOCUS_CSS
from api.svg_bars import bar_chart
from core.db.fleet_aggregates import GroupRow
from fleet.utilisation import UnusedVehicle, Utilisation

CSS = (
    "body{font:15px/1.4 system-ui,sans-serif;max-width:60em;margin:1em auto;padding:0 1em}"
    "table{border-collapse:collapse;margin:.5em 0}td,th{padding:.2em .6em;text-align:right;"
    "border-bottom:1px solid #ddd}td:first-child,th:first-child{text-align:left}"
    "figure{margin:1em 0}figcaption{font-weight:600;margin-bottom:.3em}.note{color:#555}"
)


@dataclass(frozen=True)
class FleetView:
    """Everything the page shows."""

    since: date
    until: date
    timezone: str
    days_computed: int
    by_kind: Sequence[GroupRow]
    cleaning_by_district: Sequence[GroupRow]
    by_hour: Sequence[GroupRow]
    utilisation: Sequence[Utilisation]
    unused: Sequence[UnusedVehicle]
    max_idle_min: float


def _h(seconds: float) -> float:
    return seconds / 3600.0


def _kind(lang: Lang, kind: str) -> str:
    return ft(lang, kind) if kind in ("garbageCollection", "streetCleaning", "other") else kind


def _table(head: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in r) + "</tr>" for r in rows
    )
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _charts(v: FleetView, lang: Lang) -> str:
    use = [ft(lang, "driving"), ft(lang, "idling"), ft(lang, "service")]
    kinds = [(_kind(lang, r.key), r) for r in v.by_kind]
    parts = [
        bar_chart(ft(lang, "km_by_kind"), [(k, [r.usage.km]) for k, r in kinds], unit="km"),
        bar_chart(
            ft(lang, "time_by_kind"),
            [
                (k, [_h(r.usage.driving_s), _h(r.usage.idling_s), _h(r.usage.service_s)])
                for k, r in kinds
            ],
            use,
            unit="h",
        ),
    ]
    if v.cleaning_by_district:
        parts.append(
            bar_chart(
                ft(lang, "cleaning_by_district"),
                [
                    (r.key or ft(lang, "outside"), [_h(r.usage.service_s)])
                    for r in v.cleaning_by_district
                ],
                unit="h",
            )
        )
    parts.append(
        bar_chart(
            ft(lang, "use_by_hour"),
            [
                (
                    f"{int(r.key):02d}:00",
                    [_h(r.usage.driving_s), _h(r.usage.idling_s), _h(r.usage.service_s)],
                )
                for r in sorted(v.by_hour, key=lambda r: int(r.key))
            ],
            use,
            unit="h",
        )
    )
    shares: dict[str, list[float]] = {}
    for u in v.utilisation:
        if u.share is not None:
            s = shares.setdefault(u.kind, [0.0, 0.0])
            s[0] += u.in_shift_use_h
            s[1] += u.shift_h
    parts.append(
        bar_chart(
            ft(lang, "utilisation"),
            [(_kind(lang, k), [100 * a / b]) for k, (a, b) in sorted(shares.items()) if b > 0],
            unit="%",
            digits=0,
        )
    )
    return "".join(parts)


def fleet_page(v: FleetView, lang: Lang, query: dict[str, str]) -> str:
    """The whole page as HTML."""
    other = Lang.DA if lang == Lang.EN else Lang.EN
    q = {k: val for k, val in query.items() if k != "lang"}
    period = {"since": v.since.isoformat(), "until": v.until.isoformat()}
    total = (v.until - v.since).days + 1
    what = ft(lang, "period", **period, tz=v.timezone, days=v.days_computed, total=total)
    csv_link = "/api/fleet/aggregates.csv?" + urlencode({**period, "group": "kind"})
    switch = escape("?" + urlencode({**q, "lang": other.value}))
    head = (
        f'<!doctype html><html lang="{lang.value}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(ft(lang, 'title'))}</title><style>{CSS}{FOCUS_CSS}</style></head><body>"
        f'<a class="skip" href="#main">{escape(t(lang, "skip"))}</a>'
        f'<main id="main" tabindex="-1"><h1>{escape(ft(lang, "title"))}</h1>'
        f'<p><a class="lang-switch" lang="{other.value}" href="{switch}">'
        f"{escape(t(lang, 'lang_other'))}</a></p>"
        f'<form method="get" action="/fleet"><label for="since">{escape(ft(lang, "from"))}'
        f'</label> <input type="date" id="since" name="since" value="{v.since}"> '
        f'<label for="until">{escape(ft(lang, "to"))}</label> '
        f'<input type="date" id="until" name="until" value="{v.until}">'
        f'<input type="hidden" name="lang" value="{lang.value}">'
        f"<button>{escape(ft(lang, 'show'))}</button></form>"
        f'<p id="period">{escape(what)}'
        f' <a href="{escape(csv_link)}">{escape(ft(lang, "csv"))}</a></p>'
    )
    if v.days_computed == 0:
        return head + f'<p id="none">{escape(ft(lang, "none"))}</p></main></body></html>'
    kind_rows = [
        (
            _kind(lang, r.key),
            r.vehicles,
            f"{r.usage.km:.1f}",
            f"{_h(r.usage.driving_s):.1f}",
            f"{_h(r.usage.idling_s):.1f}",
            f"{_h(r.usage.service_s):.1f}",
            f"{_h(r.usage.in_use_s):.1f}",
            f"{r.usage.co2_kg:.1f}",
        )
        for r in v.by_kind
    ]
    kind_head = [
        ft(lang, k)
        for k in ("kind", "vehicles", "km", "driving", "idling", "service", "in_use", "co2")
    ]
    least = sorted((u for u in v.utilisation if u.share is not None), key=lambda u: u.share or 0.0)
    least_rows = [
        (u.pseudonym, _kind(lang, u.kind), u.days, f"{100 * (u.share or 0):.0f} %", f"{u.km:.1f}")
        for u in least[:10]
    ]
    unused = (
        _table(
            [ft(lang, "vehicle"), ft(lang, "kind"), ft(lang, "depot"), ft(lang, "days")],
            [
                (u.vehicle_id or u.pseudonym, _kind(lang, u.kind), u.depot_id or "", u.days)
                for u in v.unused
            ],
        )
        if v.unused
        else f"<p>{escape(ft(lang, 'no_unused'))}</p>"
    )
    return (
        head
        + f"<h2>{escape(ft(lang, 'by_kind'))}</h2>{_table(kind_head, kind_rows)}"
        + _charts(v, lang)
        + f"<h2>{escape(ft(lang, 'least_used'))}</h2>"
        + _table([ft(lang, k) for k in ("vehicle", "kind", "days", "share", "km")], least_rows)
        + f'<h2 id="unused">{escape(ft(lang, "unused"))} ({len(v.unused)})</h2>{unused}'
        + f'<p class="note">{escape(ft(lang, "definitions", idle=f"{v.max_idle_min:.0f}"))}</p>'
        + "</main></body></html>"
    )
