"""Offline API docs: the Swagger UI page and its assets served by the application itself."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

pytestmark = pytest.mark.integration

URL_ATTR = re.compile(r"""(?:src|href|url)\s*[=:]\s*['"]([^'"]*)['"]""")


def test_docs_page_references_only_same_origin_urls(client: TestClient) -> None:
    """/docs loads its script, stylesheet, favicon and the schema from this server only."""
    r = client.get("/docs")
    assert r.status_code == 200
    urls = URL_ATTR.findall(r.text)
    assert {"/openapi.json", "/static/docs/swagger-ui-bundle.js"} <= set(urls)
    assert all(u.startswith("/") and not u.startswith("//") for u in urls), urls
    assert "http://" not in r.text and "https://" not in r.text


def test_docs_assets_are_served(client: TestClient) -> None:
    """Every script and stylesheet /docs names is served here with a matching content type."""
    named = [u for u in URL_ATTR.findall(client.get("/docs").text) if u.endswith((".js", ".css"))]
    assert len(named) == 2
    for u in named:
        r = client.get(u)
        assert r.status_code == 200, u
        assert ("javascript" if u.endswith(".js") else "css") in r.headers["content-type"]
        assert len(r.content) > 100_000


def test_docs_get_the_strict_csp_and_redoc_is_not_served(client: TestClient) -> None:
    """/docs carries the same same-origin CSP as every page; /redoc does not exist."""
    csp = client.get("/docs").headers["content-security-policy"]
    assert csp == client.get("/openapi.json").headers["content-security-policy"]
    assert "default-src 'self'" in csp and "https:" not in csp
    assert client.get("/redoc").status_code == 404
