"""Password hashing (Argon2 via pwdlib) and signed access tokens (JWT, HS256) — no I/O.

The signing secret is passed in by the caller (it comes from ``Settings.jwt_secret``). Argon2
takes tens of milliseconds of CPU by design: async code calls :func:`hash_password_async` and
:func:`verify_password_async`, which run it in a worker thread, never on the event loop.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from pwdlib import PasswordHash

from core.users import Role, User

ALGORITHM = "HS256"
ISSUER = "cityops"
_hasher = PasswordHash.recommended()
# Verified against when the user does not exist, so the timing does not reveal which names do.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class TokenError(ValueError):
    """A token that is malformed, badly signed, expired or otherwise unacceptable."""


@dataclass(frozen=True, slots=True)
class TokenClaims:
    """What a valid access token says."""

    username: str
    role: Role
    expires_at: datetime


def hash_password(password: str) -> str:
    """An Argon2id hash of ``password``."""
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """True if ``password`` matches; constant work whether or not the user exists."""
    if password_hash is None:
        _hasher.verify(password, _DUMMY_HASH)
        return False
    try:
        return bool(_hasher.verify(password, password_hash))
    except Exception:  # an unreadable stored hash never authenticates
        return False


async def hash_password_async(password: str) -> str:
    """:func:`hash_password` in a worker thread (the event loop keeps serving)."""
    return await asyncio.to_thread(hash_password, password)


async def verify_password_async(password: str, password_hash: str | None) -> bool:
    """:func:`verify_password` in a worker thread (the event loop keeps serving)."""
    return await asyncio.to_thread(verify_password, password, password_hash)


def issue_token(secret: str, user: User, ttl: timedelta, now: datetime | None = None) -> str:
    """A signed access token for ``user`` valid for ``ttl``."""
    if ttl.total_seconds() <= 0:
        raise ValueError("ttl must be positive.")
    now = now or datetime.now(UTC)
    claims = {
        "sub": user.username,
        "role": user.role.value,
        "iss": ISSUER,
        "iat": int(now.timestamp()),
        "exp": int((now + ttl).timestamp()),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def decode_token(secret: str, token: str) -> TokenClaims:
    """Verify signature, issuer and expiry; :class:`TokenError` with a reason otherwise."""
    try:
        c = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["sub", "exp", "iat", "iss"]},
        )
    except jwt.ExpiredSignatureError as e:
        raise TokenError("token has expired") from e
    except jwt.InvalidTokenError as e:
        raise TokenError(f"invalid token: {e}") from e
    try:
        return TokenClaims(str(c["sub"]), Role(c["role"]), datetime.fromtimestamp(c["exp"], UTC))
    except (KeyError, ValueError) as e:
        raise TokenError("invalid token: bad claims") from e
