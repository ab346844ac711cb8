"""Danish and English texts for the citizen pages and answers and the planners' live map."""

from __future__ import annotations

from enum import StrEnum

from api.i18n_alerts import ALERT_TEXTS
from api.i18n_pages import PAGE_TEXTS


class Lang(StrEnum):
    """Supported languages."""

    DA = "da"
    EN = "en"


TEXTS: dict[Lang, dict[str, str]] = {
    Lang.EN: {
        "title": "Where can I park?",
        "p_free": "chance of a free space",
        "expected_free": "expected free spaces",
        "walk": "min walk",
        "best_bet": "Best bet",
        "none": "No parking sites within {radius} m.",
        "reached": "Nearest site with at least {target} chance: {p} chance, {walk} min walk.",
        "not_reached": "No site reaches {target}; the highest-ranked has {p}.",
        "at": "Arrival",
        "attribution": "Map data © OpenStreetMap contributors",
        # the planners' live map
        "live_title": "Live operations",
        "no_plan": "No accepted plan yet.",
        "progress": "{emptied} emptied, {skipped} skipped, {planned} to go",
        "routes": "routes",
        "trucks": "trucks",
        "bins": "Bins",
        "layer_routes": "Routes",
        "vehicles": "Vehicles",
        "adherence": "Proof of service",
        "served": "served",
        "missed": "missed",
        "out_of_sequence": "out of sequence",
        "unplanned": "not planned",
        "off_route": "off route",
        "adherence_line": "Proof of service (GPS up to {at}): {served} of {planned} bins served,"
        " {missed} missed ({not_visited} by no truck), {out} out of sequence,"
        " {off_km} km off route",
        "no_adherence": "No proof of service computed for this plan yet.",
    },
    Lang.DA: {
        "title": "Hvor kan jeg parkere?",
        "p_free": "chance for en ledig plads",
        "expected_free": "forventede ledige pladser",
        "walk": "min. gang",
        "best_bet": "Bedste bud",
        "none": "Ingen parkeringspladser inden for {radius} m.",
        "reached": "Nærmeste sted med mindst {target} chance: {p} chance, {walk} min. gang.",
        "not_reached": "Intet sted når {target}; det bedst placerede har {p}.",
        "at": "Ankomst",
        "attribution": "Kortdata © OpenStreetMap-bidragydere",
        "live_title": "Driften lige nu",
        "no_plan": "Ingen godkendt plan endnu.",
        "progress": "{emptied} tømt, {skipped} sprunget over, {planned} tilbage",
        "routes": "ruter",
        "trucks": "skraldebiler",
        "bins": "Affaldskurve",
        "layer_routes": "Ruter",
        "vehicles": "Køretøjer",
        "adherence": "Tømningsbevis",
        "served": "besøgt",
        "missed": "ikke besøgt",
        "out_of_sequence": "uden for rækkefølgen",
        "unplanned": "ikke planlagt",
        "off_route": "uden for ruten",
        "adherence_line": "Tømningsbevis (GPS til {at}): {served} af {planned} kurve besøgt,"
        " {missed} ikke besøgt ({not_visited} af ingen bil), {out} uden for rækkefølgen,"
        " {off_km} km uden for ruten",
        "no_adherence": "Intet tømningsbevis beregnet for denne plan endnu.",
    },
}


for _lang in Lang:  # the bin alerts, the bins' tooltips and the live map's legend
    TEXTS[_lang] |= ALERT_TEXTS[_lang.value] | PAGE_TEXTS[_lang.value]


def t(lang: Lang, key: str, **kw: object) -> str:
    """The text ``key`` in ``lang``, formatted with ``kw``."""
    return TEXTS[lang][key].format(**kw)
