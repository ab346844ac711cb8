"""Errors as small HTML pages in the reader's language for browsers (Accept: text/html); a
browser that is not logged in is sent to the log-in form, which brings it back. API clients
keep their JSON (:mod:`api.errors`)."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.i18n import TEXTS, t
from api.page_shell import choose_lang, shell

KNOWN = (400, 401, 403, 404, 405, 422, 429, 500, 503)


def wants_html(request: Request) -> bool:
    """True for a browser's page request: it names ``text/html`` in Accept (fetch() and API
    clients send ``*/*`` or ``application/json``)."""
    return "text/html" in request.headers.get("accept", "")


def login_redirect(request: Request) -> RedirectResponse:
    """To the log-in form, which returns to this page afterwards."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    lang = choose_lang(request)
    return RedirectResponse(f"/login?lang={lang.value}&next={quote(here, safe='')}", 303)


def error_page(
    request: Request, code: int, detail: str, headers: Mapping[str, str] | None = None
) -> Response:
    """The error ``code`` as a page: a heading, what it means, the detail (escaped) and a way on.
    A GET that needs a log-in redirects to the form instead."""
    if code == 401 and request.method in ("GET", "HEAD"):
        return login_redirect(request)
    lang = choose_lang(request)
    key = f"err_{code}" if code in KNOWN else ("err_500" if code >= 500 else "err_400")
    more = (
        f"<details><summary>{escape(t(lang, 'err_detail'))}</summary><p>{escape(detail)}</p>"
        "</details>"
        if detail
        else ""
    )
    body = (
        f"<h1>{escape(t(lang, 'err_title', code=code))}</h1>"
        f'<p class="msg err" role="alert">{escape(TEXTS[lang][key])}</p>{more}'
        f'<p><a href="/?lang={lang.value}">{escape(t(lang, "err_home"))}</a>'
        f' · <a href="/login?lang={lang.value}">{escape(t(lang, "login_title"))}</a></p>'
    )
    keep = {k: v for k, v in (headers or {}).items() if k.lower() == "retry-after"}
    return HTMLResponse(
        shell(request, lang, t(lang, "err_title", code=code), body), code, headers=keep
    )
