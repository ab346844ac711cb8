"""Turning folium maps into full HTML pages with a small overlay panel."""

from __future__ import annotations

from html import escape
from typing import Any

import folium
from branca.element import Element

PANEL_CSS = (
    "position:fixed;z-index:1000;top:10px;left:50px;right:10px;max-width:34em;"
    "background:rgba(255,255,255,.94);padding:.6em .9em;border-radius:6px;"
    "font:15px/1.35 system-ui,sans-serif;box-shadow:0 1px 4px rgba(0,0,0,.3)"
)


def page(m: folium.Map, title: str, panel_html: str = "", lang: str = "en") -> str:
    """The map as a standalone page with ``title`` and an optional (trusted) panel."""
    root: Any = m.get_root()
    root.header.add_child(Element(f"<title>{escape(title)}</title>"), name="title")
    if panel_html:
        root.html.add_child(
            Element(f'<div id="panel" style="{PANEL_CSS}">{panel_html}</div>'), name="panel"
        )
    html = root.render()
    return html.replace("<html>", f'<html lang="{escape(lang)}">', 1)
