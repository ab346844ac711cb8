"""Legends of the plan map, the driver's route map and the citizens' parking map in Danish or
English: each status by its shape, size or dash and its name as well as its colour (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from api.i18n import Lang, t
from api.live_page import circle_mark, stop_mark
from maps.colours import PARKING_STATUS_RADIUS, STATUS_COLOURS, probability_colour

_P = {"likely": 0.9, "maybe": 0.6, "unlikely": 0.1}


def _legend(lang: Lang, items: Sequence[tuple[str, str, str]], open_: bool = True) -> str:
    rows = "".join(
        f"<li data-legend='{escape(key)}'>{mark} {escape(label)}</li>" for mark, key, label in items
    )
    return (
        f"<details id='legend'{' open' if open_ else ''}><summary>{escape(t(lang, 'legend'))}"
        f"</summary><ul style='list-style:none;margin:0;padding-left:.5em'>{rows}</ul></details>"
    )


def stops_legend(lang: Lang) -> str:
    """Route stops: planned (full size), emptied (small), skipped (dashed)."""
    return _legend(
        lang,
        [(stop_mark(s), f"stop-{s}", t(lang, f"stop_{s}")) for s in STATUS_COLOURS],
        open_=False,
    )


def parking_legend(lang: Lang) -> str:
    """Parking sites: likely (large), maybe (medium), unlikely (small, dashed); the asked place."""
    items = [
        (
            circle_mark(
                PARKING_STATUS_RADIUS[s], probability_colour(p), "#333333", s == "unlikely"
            ),
            f"parking-{s}",
            t(lang, f"legend_{s}"),
        )
        for s, p in _P.items()
    ]
    items.append((circle_mark(4, "#000000", "#000000"), "query", t(lang, "legend_query")))
    return _legend(lang, items, open_=False)
