"""Danish and English texts of the planners' fleet page and CSV, and choosing the language from
``?lang=`` or the browser's Accept-Language (pure)."""

from __future__ import annotations

from api.i18n import Lang

TEXTS: dict[Lang, dict[str, str]] = {
    Lang.EN: {
        "title": "Fleet operations",
        "period": "Local days {since} to {until} ({tz}); {days} of {total} days computed.",
        "none": "No fleet aggregates are stored for this period yet (they are computed nightly,"
        " or with city-fleet aggregate).",
        "show": "Show",
        "from": "From",
        "to": "to",
        "csv": "CSV",
        "by_kind": "Per vehicle kind",
        "kind": "kind",
        "vehicles": "vehicles",
        "km": "km",
        "driving": "driving",
        "idling": "idling",
        "service": "in service",
        "parked": "parked",
        "in_use": "in use",
        "co2": "CO2 (kg)",
        "hours": "hours",
        "km_by_kind": "Kilometres per vehicle kind",
        "time_by_kind": "Hours in use per vehicle kind",
        "cleaning_by_district": "Street cleaning: hours cleaning per district",
        "use_by_hour": "Hours in use per local hour of day",
        "utilisation": "Utilisation: share of shift time in use",
        "least_used": "Least used vehicles (pseudonyms)",
        "unused": "Vehicles not used in the period",
        "no_unused": "Every vehicle was used in the period.",
        "vehicle": "vehicle",
        "depot": "depot",
        "days": "days",
        "share": "share",
        "outside": "(outside the districts)",
        "definitions": "Driving: moving; in service: at a bin or disposal site (waste trucks) or"
        " cleaning speed inside a district (street cleaners); idling: standing still up to"
        " {idle} min elsewhere; parked: longer standstills and at depots. In use = driving +"
        " idling + in service; utilisation = use within the vehicle's shift / shift time, every"
        " day counted.",
        "garbageCollection": "waste trucks",
        "streetCleaning": "street cleaners",
        "other": "other vehicles",
        "unknown": "unknown",
    },
    Lang.DA: {
        "title": "Flådedrift",
        "period": "Lokale dage {since} til {until} ({tz}); {days} af {total} dage beregnet.",
        "none": "Der er endnu ikke gemt flådetal for denne periode (de beregnes hver nat eller"
        " med city-fleet aggregate).",
        "show": "Vis",
        "from": "Fra",
        "to": "til",
        "csv": "CSV",
        "by_kind": "Pr. køretøjstype",
        "kind": "type",
        "vehicles": "køretøjer",
        "km": "km",
        "driving": "kørsel",
        "idling": "tomgang",
        "service": "i drift",
        "parked": "parkeret",
        "in_use": "i brug",
        "co2": "CO2 (kg)",
        "hours": "timer",
        "km_by_kind": "Kilometer pr. køretøjstype",
        "time_by_kind": "Timer i brug pr. køretøjstype",
        "cleaning_by_district": "Gadefejning: timer med fejning pr. bydel",
        "use_by_hour": "Timer i brug pr. lokal time på døgnet",
        "utilisation": "Udnyttelse: andel af vagttiden i brug",
        "least_used": "Mindst brugte køretøjer (pseudonymer)",
        "unused": "Køretøjer, der ikke blev brugt i perioden",
        "no_unused": "Alle køretøjer blev brugt i perioden.",
        "vehicle": "køretøj",
        "depot": "depot",
        "days": "dage",
        "share": "andel",
        "outside": "(uden for bydelene)",
        "definitions": "Kørsel: i bevægelse; i drift: ved en affaldskurv eller et"
        " affaldsanlæg (skraldebiler) eller i fejehastighed inden for en bydel (fejemaskiner);"
        " tomgang: holder stille op til {idle} min. andre steder; parkeret: længere ophold og"
        " ved depoter. I brug = kørsel + tomgang + i drift; udnyttelse = brug inden for"
        " køretøjets vagt / vagttid, alle dage talt med.",
        "garbageCollection": "skraldebiler",
        "streetCleaning": "fejemaskiner",
        "other": "andre køretøjer",
        "unknown": "ukendt",
    },
}


def ft(lang: Lang, key: str, **kw: object) -> str:
    """The fleet text ``key`` in ``lang``, formatted with ``kw``."""
    return TEXTS[lang][key].format(**kw)


def negotiate(query: Lang | None, accept_language: str | None) -> Lang:
    """``?lang=`` when given, else the first supported language in Accept-Language by quality
    (``da-DK,da;q=0.9,en;q=0.8`` → da), else English."""
    if query is not None:
        return query
    best: tuple[float, int, Lang] | None = None
    for pos, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        for p in params.split(";"):
            name, _, value = p.strip().partition("=")
            if name == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if q <= 0 or primary not in ("da", "en"):
            continue
        cand = (-q, pos, Lang(primary))
        if best is None or cand < best:
            best = cand
    return best[2] if best else Lang.EN
