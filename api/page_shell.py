"""What every HTML page shares: the language (``?lang=`` over Accept-Language), a visible switch
to the other language that keeps the other query parameters, and the page shell with a skip
link, a ``<main>``, visible focus and ``<html lang>``."""

from __future__ import annotations

from html import escape
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends, Header, Query, Request

from api.fleet_texts import negotiate
from api.i18n import Lang, t

FOCUS_CSS = (
    ":focus-visible{outline:3px solid #0b57d0;outline-offset:2px}"
    ".skip{position:absolute;left:-9999px;top:0;z-index:2000;background:#fff;padding:.4em}"
    ".skip:focus{left:.5em;top:.5em}"
)
CSS = (
    "body{font:16px/1.45 system-ui,sans-serif;max-width:60em;margin:0 auto;padding:.5em 1em}"
    "header{display:flex;flex-wrap:wrap;gap:1em;align-items:center;border-bottom:1px solid #ccc;"
    "padding:.3em 0}header nav a{margin-right:1em}.lang-switch{margin-left:auto;font-weight:600}"
    "table{border-collapse:collapse;margin:.5em 0}td,th{padding:.25em .6em;text-align:left;"
    "border-bottom:1px solid #ddd}label{display:block;margin:.4em 0 .1em;font-weight:600}"
    "input,select,button{font-size:1em;padding:.35em}button{cursor:pointer}"
    ".msg{padding:.5em;border-left:4px solid #0b57d0;background:#eef3fd}"
    ".err{border-left-color:#b3261e;background:#fdecea}" + FOCUS_CSS
)


def choose_lang(request: Request) -> Lang:
    """``?lang=da|en`` when valid, else the best of Accept-Language, else English (tolerant:
    error pages use it too)."""
    q = request.query_params.get("lang")
    if q in ("da", "en"):
        return Lang(q)
    return negotiate(None, request.headers.get("accept-language"))


async def page_lang(
    request: Request,
    lang: Annotated[Lang | None, Query(description="language of the page: da or en")] = None,
    accept_language: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Lang:
    """The page's language: ``lang`` when given, else Accept-Language, else English."""
    return negotiate(lang, accept_language)


PageLang = Annotated[Lang, Depends(page_lang)]


def other_lang(lang: Lang) -> Lang:
    return Lang.EN if lang == Lang.DA else Lang.DA


def switch_href(request: Request, lang: Lang, **override: str) -> str:
    """This page's address in the other language, keeping its other query parameters
    (``override`` replaces some), relative to the page."""
    items = [
        (k, v) for k, v in request.query_params.multi_items() if k != "lang" and k not in override
    ]
    items += list(override.items())
    items.append(("lang", other_lang(lang).value))
    return f"{request.url.path}?{urlencode(items)}"


def switch_link(request: Request, lang: Lang, **override: str) -> str:
    """The visible link to the other language (``class="lang-switch"``)."""
    other = other_lang(lang)
    return (
        f'<a class="lang-switch" href="{escape(switch_href(request, lang, **override))}" '
        f'lang="{other.value}" hreflang="{other.value}">{escape(t(lang, "lang_other"))}</a>'
    )


def nav_html(lang: Lang, links: tuple[tuple[str, str], ...]) -> str:
    """A navigation bar of (text key, href) links, each in ``lang``."""
    items = "".join(
        f'<a href="{escape(href)}?lang={lang.value}">{escape(t(lang, key))}</a>'
        for key, href in links
    )
    return f'<nav aria-label="menu">{items}</nav>' if items else ""


PLANNER_NAV = (
    ("nav_planner", "/planner"),
    ("nav_live", "/planner/live"),
    ("nav_fleet", "/fleet"),
    ("nav_parking", "/citizen/parking/map"),
)


def shell(
    request: Request,
    lang: Lang,
    title: str,
    body: str,
    *,
    nav: tuple[tuple[str, str], ...] = (),
    head: str = "",
    css: str = "",
) -> str:
    """A whole page: ``body`` (trusted HTML) inside ``<main id="main">`` after a skip link and a
    header with ``nav`` and the language switch; ``head`` (trusted) goes into ``<head>``."""
    return (
        f'<!doctype html><html lang="{lang.value}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}{css}</style>{head}</head><body>"
        f'<a class="skip" href="#main">{escape(t(lang, "skip"))}</a>'
        f"<header>{nav_html(lang, nav)}{switch_link(request, lang)}</header>"
        f'<main id="main" tabindex="-1">{body}</main></body></html>'
    )
