"""Turning folium maps into full HTML pages with a small overlay panel: ``<html lang>``, a skip
link to the panel, the panel as the page's ``<main>`` (its text tells what the map shows) and
visible keyboard focus."""

from __future__ import annotations

from html import escape
from typing import Any

import folium
from branca.element import Element

from api.page_shell import FOCUS_CSS

PANEL_CSS = (
    "position:fixed;z-index:1000;top:10px;left:50px;right:10px;max-width:34em;"
    "max-height:calc(100vh - 40px);overflow:auto;"
    "background:rgba(255,255,255,.94);padding:.6em .9em;border-radius:6px;"
    "font:15px/1.35 system-ui,sans-serif;box-shadow:0 1px 4px rgba(0,0,0,.3)"
)
SKIP = {"en": "Skip to the map's text", "da": "Gå til kortets tekst"}


def page(m: folium.Map, title: str, panel_html: str = "", lang: str = "en") -> str:
    """The map as a standalone page with ``title`` and an optional (trusted) panel, which is the
    page's ``<main>``."""
    root: Any = m.get_root()
    root.header.add_child(Element(f"<title>{escape(title)}</title>"), name="title")
    root.header.add_child(
        Element(f"<style>{FOCUS_CSS} #panel h1{{font-size:1.2em;margin:0 0 .3em}}</style>"),
        name="focus_css",
    )
    if panel_html:
        skip = SKIP.get(lang, SKIP["en"])
        root.html.add_child(
            Element(f'<a class="skip" href="#panel">{escape(skip)}</a>'), name="skip", index=0
        )
        root.html.add_child(
            Element(f'<main id="panel" tabindex="-1" style="{PANEL_CSS}">{panel_html}</main>'),
            name="panel",
        )
    html = root.render()
    return html.replace("<html>", f'<html lang="{escape(lang)}">', 1)
