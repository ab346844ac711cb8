"""The pages' login: a form that sets a SameSite=Strict, HttpOnly session cookie."""

from __future__ import annotations

from html import escape
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, status
from fastapi.responses import HTMLResponse, RedirectResponse

from api.deps import COOKIE, StateDep
from api.security import issue_token, verify_password
from core.db.users import get_user
from core.users import Role

router = APIRouter(tags=["pages"])

_FORM = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Log in</title>
<style>body{{font:16px system-ui,sans-serif;max-width:22em;margin:2em auto}}
input,button{{font-size:1em;display:block;width:100%;margin:.4em 0;padding:.4em}}</style></head>
<body><h1>cityops</h1><p>{msg}</p><form method="post" action="/login">
<input name="username" placeholder="username" autocomplete="username" required>
<input name="password" type="password" placeholder="password" required
 autocomplete="current-password"><button>Log in</button></form>
<p><a href="/citizen/parking/map">Parking map (no login)</a></p></body></html>"""


@router.get("/login", response_class=HTMLResponse)
async def login_form() -> HTMLResponse:
    """The log-in form for planners and drivers."""
    return HTMLResponse(_FORM.format(msg=""))


@router.post("/login", response_class=RedirectResponse, status_code=status.HTTP_303_SEE_OTHER)
async def login_page(
    state: StateDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
) -> RedirectResponse:
    """Check the password, set the session cookie and go to the user's start page."""
    user = await get_user(state.pool, username)
    if (
        user is None
        or user.disabled
        or not verify_password(password, user.password_hash if user else None)
    ):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong username or password")
    if user.role == Role.PLANNER:
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
        secure=False,
        path="/",
    )
    return resp


@router.get("/", response_class=RedirectResponse, include_in_schema=False)
async def index() -> RedirectResponse:
    return RedirectResponse("/citizen/parking/map")
