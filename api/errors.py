"""Exception handlers: domain errors become 4xx with a message; validation errors say what.
Browsers asking for a page get the error as an HTML page instead (:mod:`api.error_pages`)."""

from __future__ import annotations

import logging

import asyncpg
from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.error_pages import error_page, wants_html

log = logging.getLogger(__name__)


def _message(exc: RequestValidationError) -> str:
    parts = []
    for e in exc.errors()[:5]:
        where = ".".join(str(p) for p in e.get("loc", ()))
        parts.append(f"{where}: {e.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


async def _validation(request: Request, exc: RequestValidationError) -> Response:
    if wants_html(request):
        return error_page(request, status.HTTP_422_UNPROCESSABLE_CONTENT, _message(exc))
    errors = [{k: v for k, v in e.items() if k in ("loc", "msg", "type")} for e in exc.errors()]
    return JSONResponse(
        {"detail": _message(exc), "errors": jsonable_encoder(errors)},
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
    )


async def _http(request: Request, exc: StarletteHTTPException) -> Response:
    if wants_html(request):
        return error_page(request, exc.status_code, str(exc.detail), exc.headers)
    return await http_exception_handler(request, exc)


def _json(request: Request, detail: str, code: int) -> Response:
    if wants_html(request):
        return error_page(request, code, detail)
    return JSONResponse({"detail": detail}, status_code=code)


async def _lookup(request: Request, exc: LookupError) -> Response:
    return _json(request, str(exc).strip("'\""), status.HTTP_404_NOT_FOUND)


async def _value(request: Request, exc: ValueError) -> Response:
    return _json(request, str(exc), status.HTTP_400_BAD_REQUEST)


async def _db_data(request: Request, exc: asyncpg.DataError) -> Response:
    return _json(request, f"invalid value: {exc}", 400)


async def _server(request: Request, exc: Exception) -> Response:
    # no logging here: the server logs the exception itself (a path may name a person)
    if wants_html(request):
        return error_page(request, 500, "")
    return PlainTextResponse("Internal Server Error", status_code=500)


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http)  # type: ignore[arg-type]
    app.add_exception_handler(LookupError, _lookup)  # type: ignore[arg-type]
    app.add_exception_handler(ValueError, _value)  # type: ignore[arg-type]
    app.add_exception_handler(asyncpg.DataError, _db_data)
    app.add_exception_handler(Exception, _server)
