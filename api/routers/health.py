"""Probes and metrics for the platform that runs the API (no login; nothing personal):

- ``GET /healthz``: the process answers (no I/O), for a liveness probe;
- ``GET /readyz``: the database answers and every bundled migration is applied; 503 with a JSON
  ``reason`` otherwise, for a readiness probe or a load balancer;
- ``GET /metrics``: the Prometheus metrics of this process (:mod:`core.metrics`).
"""

from __future__ import annotations

import asyncio

import asyncpg
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from core.db.readiness import pending_migrations
from core.metrics import exposition

router = APIRouter(include_in_schema=False)

READY_TIMEOUT_S = 2.0


def _unready(reason: str) -> JSONResponse:
    return JSONResponse({"status": "unavailable", "reason": reason}, status_code=503)


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is alive and serving."""
    return {"status": "ok"}


@router.get("/readyz", response_model=None)
async def readyz(request: Request) -> JSONResponse | dict[str, str]:
    """The database is reachable within 2 s and its schema is current."""
    state = getattr(request.app.state, "api", None)
    if state is None:
        return _unready("starting: no database pool yet")
    try:
        async with asyncio.timeout(READY_TIMEOUT_S):
            async with state.pool.acquire() as conn:
                pending = await pending_migrations(conn)
    except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as e:
        # the exception's type only: a driver message may echo connection details
        return _unready(f"database unreachable ({type(e).__name__})")
    if pending:
        return _unready(f"migrations not applied: {pending} (run `city-db migrate`)")
    return {"status": "ready"}


@router.get("/metrics")
async def metrics() -> Response:
    """Prometheus text exposition of this process's metrics."""
    body, content_type = exposition()
    return Response(body, media_type=content_type)
