"""Authentication and role checks on the real application and database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import SECRET, Seed, login

pytestmark = pytest.mark.integration


def test_login_and_me(client: TestClient) -> None:
    """The password flow issues a token that names the user, role and vehicles."""
    r = client.get("/auth/me", headers=login(client, "driver1"))
    assert r.status_code == 200
    assert r.json() == {"username": "driver1", "role": "driver", "vehicle_ids": ["truck-a"]}


def test_wrong_password_is_401_with_message(client: TestClient) -> None:
    """A wrong password or unknown user gets 401 and the same message."""
    for user, pw in (("driver1", "nope"), ("nobody", "nope")):
        r = client.post("/auth/token", data={"username": user, "password": pw})
        assert r.status_code == 401
        assert r.json()["detail"] == "wrong username or password"


@pytest.mark.parametrize(
    "token, reason",
    [
        ("garbage", "invalid token"),
        (
            jwt.encode(
                {"sub": "planner", "role": "planner", "iss": "cityops", "iat": 0, "exp": 1},
                SECRET,
                algorithm="HS256",
            ),
            "expired",
        ),
        (
            jwt.encode(
                {
                    "sub": "planner",
                    "role": "planner",
                    "iss": "cityops",
                    "iat": 0,
                    "exp": int((datetime.now(UTC) + timedelta(hours=1)).timestamp()),
                },
                "another-secret-0123456789-0123456789-xyz",
                algorithm="HS256",
            ),
            "invalid token",
        ),
    ],
)
def test_bad_tokens_get_401_with_reason(client: TestClient, token: str, reason: str) -> None:
    """Malformed, expired and wrongly signed tokens are refused with a reason."""
    r = client.get("/planner/plans/current", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401
    assert reason in r.json()["detail"]


def test_anonymous_reaches_only_citizen_endpoints(client: TestClient, seeded: Seed) -> None:
    """Without a token, staff endpoints answer 401; citizen and open data answer 200."""
    for path in (
        "/planner/plans/current",
        "/driver/routes",
        "/driver/routes/truck-a",
        f"/planner/plans/{seeded.plan_id}",
        "/planner/live",
        "/auth/me",
    ):
        r = client.get(path)
        assert r.status_code == 401, path
        assert r.json()["detail"]
    assert client.post("/planner/plans", json={"plan_date": "2024-03-18"}).status_code == 401
    for path in (
        "/citizen/parking?lon=12.5889&lat=55.6954",
        "/open/bins.geojson",
        "/citizen/parking/map",
    ):
        assert client.get(path).status_code == 200, path


def test_driver_cannot_read_other_route_or_plan(client: TestClient, seeded: Seed) -> None:
    """A driver sees only their own vehicle's route and cannot use planner endpoints."""
    h = login(client, "driver1")
    assert client.get("/driver/routes/truck-a", headers=h).status_code == 200
    r = client.get("/driver/routes/truck-b", headers=h)
    assert r.status_code == 403 and "not assigned" in r.json()["detail"]
    assert client.get("/driver/routes/truck-b/route.gpx", headers=h).status_code == 403
    r = client.post("/planner/plans", json={"plan_date": "2024-03-18"}, headers=h)
    assert r.status_code == 403 and "planner" in r.json()["detail"]
    assert client.get(f"/planner/plans/{seeded.plan_id}", headers=h).status_code == 403
    r = client.post("/driver/routes/truck-b/stops/1", json={"status": "emptied"}, headers=h)
    assert r.status_code == 403


def test_security_headers(client: TestClient) -> None:
    """Responses carry CSP, nosniff, frame and referrer headers."""
    r = client.get("/citizen/parking/map")
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "no-referrer"
