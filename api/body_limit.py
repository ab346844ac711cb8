"""Request body size limits (pure ASGI middleware): a body larger than its path's limit is
refused with 413 and a message, whether it declares a Content-Length or arrives chunked."""

from __future__ import annotations

import json
from collections.abc import Mapping

from fastapi import HTTPException, status
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MiB"
    return f"{n / 1024:.0f} KiB" if n >= 1024 else f"{n} bytes"


class BodyTooLarge(HTTPException):
    """The request body is larger than ``limit`` bytes (FastAPI's handlers answer 413).

    A FastAPI ``HTTPException``: raised while a route reads its body, FastAPI passes it on to
    the exception handlers instead of turning it into "error parsing the body" (400)."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"request body too large: the limit here is {_size(limit)} ({limit} bytes)",
        )


class BodySizeLimit:
    """Refuses request bodies over ``default`` bytes, or over the limit of the longest matching
    path prefix in ``per_path`` (e.g. a file upload's larger one).

    A declared ``Content-Length`` over the limit is refused when the application first reads the
    body, before any byte of it is received; a body without one (chunked) is counted as it
    streams in and refused as soon as it passes the limit. Either way the application's
    exception handlers answer (JSON for clients, an HTML page for browsers); if an exception
    still escapes before a response has started, this middleware answers 413 itself."""

    def __init__(self, app: ASGIApp, default: int, per_path: Mapping[str, int] | None = None):
        if default < 1 or any(v < 1 for v in (per_path or {}).values()):
            raise ValueError("body size limits must be positive.")
        self.app = app
        self.default = default
        self.per_path = sorted((per_path or {}).items(), key=lambda kv: -len(kv[0]))

    def limit_for(self, path: str) -> int:
        """The body limit of requests to ``path``."""
        for prefix, limit in self.per_path:
            if path.startswith(prefix):
                return limit
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        declared = _content_length(scope)
        if declared is None:
            await _answer(send, status.HTTP_400_BAD_REQUEST, "invalid Content-Length header")
            return
        received = 0
        started = False

        async def limited() -> Message:
            nonlocal received
            if declared > limit:
                raise BodyTooLarge(limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited, tracked)
        except BodyTooLarge as e:
            if started:
                raise
            await _answer(send, e.status_code, str(e.detail))


def _content_length(scope: Scope) -> int | None:
    """The declared Content-Length, -1 when none is declared, None when it is not a number."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                n = int(value)
            except ValueError:
                return None
            return n if n >= 0 else None
    return -1


async def _answer(send: Send, code: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": code,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
