"""Offline API docs: Swagger UI at ``/docs`` from installed assets; no ReDoc.

FastAPI's default pages load their scripts, styles and favicon from public CDNs, which fails on
an offline control-room network and needs a relaxed CSP. The ``fastapi-offline`` package ships
Swagger UI 5 (renders OpenAPI 3.1) as static files; they are mounted under
``{static_prefix}/docs`` and the page is built with FastAPI's own helper pointing there, so
every URL it references is same-origin and the application's strict CSP applies unchanged.
ReDoc is not served: its bundle fetches the Redocly logo from a CDN, which the CSP refuses, and
Swagger UI already covers reading and trying the API.
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS_URL = "/docs"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"


def assets_dir() -> str:
    """The installed Swagger UI files (swagger-ui-bundle.js, swagger-ui.css, favicon.png)."""
    return str(files("fastapi_offline") / "static")


def install(app: FastAPI, static_prefix: str = "/static") -> None:
    """Serve the docs page on ``app``; create it with ``docs_url=None, redoc_url=None``."""
    if app.docs_url is not None or app.redoc_url is not None:
        raise ValueError("create the app with docs_url=None and redoc_url=None.")
    assets = f"{static_prefix}/docs"
    app.mount(assets, StaticFiles(directory=assets_dir()), name="static-docs")
    title = app.title

    def root(request: Request) -> str:
        return str(request.scope.get("root_path", ""))

    @app.get(DOCS_URL, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        base = root(request)
        return get_swagger_ui_html(
            openapi_url=f"{base}{app.openapi_url}",
            title=f"{title} - Swagger UI",
            oauth2_redirect_url=f"{base}{OAUTH2_REDIRECT_URL}",
            swagger_js_url=f"{base}{assets}/swagger-ui-bundle.js",
            swagger_css_url=f"{base}{assets}/swagger-ui.css",
            swagger_favicon_url=f"{base}{assets}/favicon.png",
            swagger_ui_parameters={"validatorUrl": None},  # no badge from validator.swagger.io
        )

    @app.get(OAUTH2_REDIRECT_URL, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()
