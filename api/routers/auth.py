"""Login (OAuth2 password flow) and who-am-I."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.security import OAuth2PasswordRequestForm

from api.deps import StateDep, UserDep, citizen_rate_limit
from api.schemas.auth import TokenPublic, UserPublic
from api.security import issue_token, verify_password_async
from core.db.users import get_user

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post(
    "/token",
    response_model=TokenPublic,
    dependencies=[Depends(citizen_rate_limit)],
    responses={
        401: {"description": "wrong username or password"},
        429: {"description": "too many attempts from this client"},
    },
)
async def login(
    state: StateDep, form: Annotated[OAuth2PasswordRequestForm, Depends()]
) -> TokenPublic:
    """Exchange a username and password for a bearer token (OAuth2 password flow; rate-limited
    per client)."""
    user = await get_user(state.pool, form.username) if len(form.username) <= 64 else None
    ok = await verify_password_async(form.password, user.password_hash if user else None)
    if user is None or not ok or user.disabled:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "wrong username or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    ttl = state.config.token_ttl
    return TokenPublic(
        access_token=issue_token(state.config.jwt_secret, user, ttl),
        expires_in=int(ttl.total_seconds()),
    )


@router.get("/me", response_model=UserPublic, responses={401: {"description": "no valid token"}})
async def me(user: UserDep) -> UserPublic:
    """The authenticated user's name, role and assigned vehicles."""
    return UserPublic(username=user.username, role=user.role, vehicle_ids=list(user.vehicle_ids))
