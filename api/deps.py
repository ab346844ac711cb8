"""Dependencies: state, authentication, role checks, the citizen rate limit."""

from __future__ import annotations

import time
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

import asyncpg
from fastapi import Depends, HTTPException, Request, status
from fastapi.security import OAuth2PasswordBearer

from api.security import TokenError, decode_token
from api.state import ApiState
from core.db.users import get_user
from core.users import Role, User

oauth2 = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)
_BEARER = {"WWW-Authenticate": "Bearer"}


async def get_state(request: Request) -> ApiState:
    """The application's state (async: a sync dependency costs a thread-pool hop per request)."""
    return request.app.state.api


StateDep = Annotated[ApiState, Depends(get_state)]


async def get_pool(state: StateDep) -> asyncpg.Pool:
    return state.pool


PoolDep = Annotated[asyncpg.Pool, Depends(get_pool)]


COOKIE = "cityops_token"


async def current_user(
    request: Request, state: StateDep, token: Annotated[str | None, Depends(oauth2)]
) -> User:
    """The user a valid bearer token (or the pages' SameSite=Strict cookie) names; 401 with the
    reason otherwise."""
    token = token or request.cookies.get(COOKIE)
    if not token:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "not authenticated: send a bearer token", headers=_BEARER
        )
    try:
        claims = decode_token(state.config.jwt_secret, token)
    except TokenError as e:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, str(e), headers=_BEARER) from e
    user = await get_user(state.pool, claims.username)
    if user is None or user.disabled:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "user no longer exists or is disabled", headers=_BEARER
        )
    if user.role != claims.role:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "token role is out of date", headers=_BEARER
        )
    return user


UserDep = Annotated[User, Depends(current_user)]


def require_role(*roles: Role) -> Callable[[User], Coroutine[Any, Any, User]]:
    """A dependency admitting only users with one of ``roles`` (403 otherwise)."""
    names = " or ".join(r.value for r in roles)

    async def check(user: UserDep) -> User:
        if user.role not in roles:
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"this needs the role {names}")
        return user

    return check


PlannerDep = Annotated[User, Depends(require_role(Role.PLANNER))]
StaffDep = Annotated[User, Depends(require_role(Role.PLANNER, Role.DRIVER))]


def check_vehicle_access(user: User, vehicle_id: str) -> None:
    """Planners see every vehicle; drivers only those assigned to them (403 otherwise)."""
    if user.role == Role.PLANNER or vehicle_id in user.vehicle_ids:
        return
    raise HTTPException(
        status.HTTP_403_FORBIDDEN, f"vehicle {vehicle_id!r} is not assigned to {user.username!r}"
    )


async def citizen_rate_limit(request: Request, state: StateDep) -> None:
    """429 with Retry-After when one client asks too often."""
    key = request.client.host if request.client else "unknown"
    wait = state.limiter.take(key, time.monotonic())
    if wait > 0:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            f"too many requests: retry in {wait:.1f} s",
            headers={"Retry-After": str(max(1, round(wait)))},
        )
