"""The pages' login: a form (Danish or English) that sets a SameSite=Strict, HttpOnly session
cookie and returns to the page that asked for it; a wrong password shows on the form."""

from __future__ import annotations

from html import escape
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import COOKIE, StateDep, citizen_rate_limit
from api.i18n import Lang, t
from api.page_shell import PageLang, shell
from api.security import issue_token, verify_password_async
from core.db.users import get_user
from core.users import Role

router = APIRouter(tags=["pages"])
NextQ = Annotated[str, Query(max_length=2000, description="page to return to (same site)")]
_CSS = "form{max-width:22em}input,button{display:block;width:100%;margin:.2em 0 .6em}"


def safe_next(target: str) -> str:
    """``target`` when it is a path on this site, else ``""`` (no open redirect)."""
    ok = target.startswith("/") and not target.startswith(("//", "/\\")) and "\n" not in target
    return target if ok else ""


def _form(request: Request, lang: Lang, next_: str, failed: bool) -> str:
    msg = (
        f'<p class="msg err" role="alert" id="login-error">{escape(t(lang, "login_failed"))}</p>'
        if failed
        else ""
    )
    body = (
        f"<h1>cityops: {escape(t(lang, 'login_title'))}</h1>{msg}"
        f'<form method="post" action="/login?lang={lang.value}">'
        f'<input type="hidden" name="next" value="{escape(safe_next(next_))}">'
        f'<label for="username">{escape(t(lang, "username"))}</label>'
        '<input id="username" name="username" autocomplete="username" required maxlength="64">'
        f'<label for="password">{escape(t(lang, "password"))}</label>'
        '<input id="password" name="password" type="password" required maxlength="256"'
        ' autocomplete="current-password">'
        f'<button type="submit">{escape(t(lang, "login_title"))}</button></form>'
        f'<p><a href="/citizen/parking/map?lang={lang.value}">'
        f"{escape(t(lang, 'parking_link'))}</a></p>"
    )
    return shell(request, lang, t(lang, "login_title"), body, css=_CSS)


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request, lang: PageLang, next: NextQ = "") -> HTMLResponse:
    """The log-in form for planners and drivers, in Danish or English."""
    return HTMLResponse(_form(request, lang, next, failed=False))


@router.post(
    "/login",
    response_class=RedirectResponse,
    status_code=status.HTTP_303_SEE_OTHER,
    dependencies=[Depends(citizen_rate_limit)],
    responses={401: {"description": "wrong password: the form again with a message"}},
)
async def login_page(
    request: Request,
    state: StateDep,
    lang: PageLang,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Check the password (rate-limited per client), set the session cookie and go back to the
    page that asked for a log-in, else to the user's start page; a wrong one shows the form
    again with a message (401)."""
    user = await get_user(state.pool, username)
    ok = await verify_password_async(password, user.password_hash if user else None)
    if user is None or user.disabled or not ok:
        return HTMLResponse(_form(request, lang, next, failed=True), 401)
    if safe_next(next):
        target = safe_next(next)
    elif user.role == Role.PLANNER:
        target = "/planner/live"
    elif user.vehicle_ids:
        target = f"/driver/routes/{escape(user.vehicle_ids[0])}/page"
    else:
        target = "/auth/me"
    ttl = state.config.token_ttl
    resp = RedirectResponse(target, status_code=status.HTTP_303_SEE_OTHER)
    resp.set_cookie(
        COOKIE,
        issue_token(state.config.jwt_secret, user, ttl),
        max_age=int(ttl.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=state.config.cookie_secure or request.url.scheme == "https",
        path="/",
    )
    return resp


@router.get("/", response_class=RedirectResponse, include_in_schema=False)
async def index(request: Request) -> RedirectResponse:
    lang = request.query_params.get("lang")
    query = f"?lang={lang}" if lang in ("da", "en") else ""
    return RedirectResponse(f"/citizen/parking/map{query}")
