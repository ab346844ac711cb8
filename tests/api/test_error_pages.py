"""Errors on pages are small HTML pages in the reader's language (API clients keep JSON); a
browser without a session goes to the log-in form and back; a wrong password shows on the
form; the log-in is rate-limited and never redirects off the site."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.ratelimit import RateLimit
from tests.api.conftest import PASSWORD, login

pytestmark = pytest.mark.integration
BROWSER = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def test_browser_gets_html_errors_in_its_language(client: TestClient) -> None:
    """404, 403 and 422 are HTML pages (Danish by Accept-Language) with the status kept."""
    da = {**BROWSER, "Accept-Language": "da"}
    h = login(client, "driver1")
    r = client.get("/driver/routes/truck-b/page", headers={**h, **da})
    assert r.status_code == 403 and '<html lang="da">' in r.text
    assert "Du har ikke adgang" in r.text and "<main" in r.text
    r = client.get("/no/such/page", headers=da)
    assert r.status_code == 404 and "blev ikke fundet" in r.text
    r = client.get("/citizen/parking/map?radius_m=-5&lang=en", headers=da)
    assert r.status_code == 422 and '<html lang="en">' in r.text and "not valid" in r.text
    r = client.get("/citizen/parking/map?lon=999&lat=55", headers=BROWSER)
    assert r.status_code == 422 and "<html" in r.text


def test_api_clients_keep_json(client: TestClient) -> None:
    """Without text/html in Accept the same errors stay JSON with a detail."""
    r = client.get("/citizen/parking/map?radius_m=-5")
    assert r.status_code == 422 and isinstance(r.json()["detail"], str)
    r = client.get("/planner/plans/999999", headers=login(client, "planner"))
    assert r.status_code == 404 and "detail" in r.json()
    assert client.get("/planner/live").status_code == 401


def test_no_session_redirects_to_login_and_back(client: TestClient) -> None:
    """A page that needs a log-in sends the browser to the form, which returns to the page."""
    r = client.get("/planner?day=2024-03-18", headers=BROWSER, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?lang=en&next=%2Fplanner%3Fday%3D2024-03-18"
    form = client.get(r.headers["location"], headers=BROWSER).text
    assert 'name="next" value="/planner?day=2024-03-18"' in form
    r = client.post(
        "/login",
        data={"username": "planner", "password": PASSWORD, "next": "/planner?day=2024-03-18"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/planner?day=2024-03-18"
    assert "samesite=strict" in r.headers["set-cookie"].lower()


def test_login_never_redirects_off_site(client: TestClient) -> None:
    """A next that is not a path on this site is ignored."""
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        r = client.post(
            "/login",
            data={"username": "planner", "password": PASSWORD, "next": target},
            follow_redirects=False,
        )
        assert r.headers["location"] == "/planner/live", target


def test_wrong_password_shows_a_message_on_the_form(client: TestClient) -> None:
    """A wrong password: the form again (401) with a message in the page's language."""
    r = client.post("/login?lang=da", data={"username": "planner", "password": "nope"})
    assert r.status_code == 401 and 'id="login-error"' in r.text
    assert "Forkert brugernavn eller adgangskode" in r.text and '<html lang="da">' in r.text
    r = client.post("/login", data={"username": "<script>", "password": "x", "next": "/fleet"})
    assert r.status_code == 401 and "<script>" not in r.text
    assert 'name="next" value="/fleet"' in r.text


def test_login_is_rate_limited(app_factory) -> None:  # type: ignore[no-untyped-def]
    """Guessing passwords from one client runs into 429 (an HTML page for a browser)."""
    with TestClient(app_factory(citizen_limit=RateLimit(rate=0.01, burst=2))) as c:
        codes = [
            c.post("/login", data={"username": "planner", "password": "x"}, headers=BROWSER)
            for _ in range(3)
        ]
        assert [r.status_code for r in codes] == [401, 401, 429]
        assert "<html" in codes[2].text and "Retry-After" in codes[2].headers
