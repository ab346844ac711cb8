"""Property-based fuzzing of every documented operation against the OpenAPI schema: no 5xx."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from api.app import create_app
from core.settings import Settings
from tests.api.conftest import PASSWORD

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _schema() -> Any:
    """The application's schema (built without a database); plan generation, a heavy
    background job, is left out."""
    app = create_app(
        Settings(jwt_secret="fuzz-secret-0123456789-0123456789"),  # type: ignore[arg-type]
        "postgresql://unused@127.0.0.1/unused",
    )
    return schemathesis.openapi.from_dict(app.openapi()).exclude(
        path="/planner/plans", method="POST"
    )


schema = _schema()


@pytest.fixture
def planner_headers(server: str) -> dict[str, str]:
    r = httpx.post(f"{server}/auth/token", data={"username": "planner", "password": PASSWORD})
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case: Any, server: str, planner_headers: dict[str, str]) -> None:
    """Any generated request, as a planner, is answered below 500."""
    response = case.call(base_url=server, headers=planner_headers, timeout=30)
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text[:300]}"
