"""Danish and English texts for the citizen pages and answers."""

from __future__ import annotations

from enum import StrEnum


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
    },
}


def t(lang: Lang, key: str, **kw: object) -> str:
    """The text ``key`` in ``lang``, formatted with ``kw``."""
    return TEXTS[lang][key].format(**kw)
