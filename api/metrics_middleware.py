"""Request latency by route template (pure ASGI middleware): ``/driver/routes/{vehicle_id}``,
never the concrete path, so ids and coordinates stay out of the metric labels."""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.metrics import observe_request

UNMATCHED = "unmatched"  # 404s of unknown paths: one label, whatever a scanner tries


def route_template(scope: Scope) -> str:
    """The matched route's path template, or :data:`UNMATCHED`."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path else UNMATCHED


class RequestMetrics:
    """Observes ``cityops_api_request_seconds`` for every HTTP request (500 when the app
    raised before answering)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            observe_request(
                scope["method"], route_template(scope), status, time.perf_counter() - started
            )
