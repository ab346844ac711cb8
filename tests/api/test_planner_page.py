"""The planners' day-plan page: key figures, generating a plan as a job the page watches, bins
forced in or out through forms, cross-site posts refused, the plan map with a legend and text."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import Seed, login

pytestmark = pytest.mark.integration


def test_page_shows_the_plan_kpis_and_map_links(client: TestClient, seeded: Seed) -> None:
    """The day's plan with km, trucks, bins, at-risk bins, duration, CO2 and both map links."""
    r = client.get("/planner?day=2024-03-18", headers=login(client, "planner"))
    assert r.status_code == 200
    html = r.text
    assert f'data-plan-id="{seeded.plan_id}"' in html
    for kpi, value in (
        ("kpi_km", "24.0"),
        ("kpi_trucks", "2"),
        ("kpi_bins", "5"),
        ("kpi_risk_visited", "2"),
        ("kpi_risk_left", "0"),
        ("kpi_duration", "2.3"),
        ("kpi_co2", "26.4"),
    ):
        assert f'data-kpi="{kpi}"' in html and f"<td>{value}</td>" in html, kpi
    assert f"/planner/plans/{seeded.plan_id}/map" in html and "/planner/live?day=2024-03-18" in html
    assert '<label for="plan_date">' in html and '<label for="bin_id">' in html


def test_page_without_a_plan_says_so(client: TestClient) -> None:
    """A date with no plan: a message and the form to make one."""
    html = client.get("/planner?day=2030-01-01", headers=login(client, "planner")).text
    assert 'id="plan-none"' in html and 'id="generate"' in html


@pytest.mark.slow
def test_generate_from_the_page_and_watch_the_job(client: TestClient, seeded: Seed) -> None:
    """The form starts the job and redirects to the page, which refreshes itself until the plan
    is done and then shows it."""
    h = login(client, "planner")
    r = client.post(
        "/planner/page/plans?lang=da",
        data={"plan_date": "2024-03-19", "time_limit_s": "2", "replan": "0"},
        headers=h,
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    page_url = r.headers["location"]
    assert page_url.startswith("/planner?day=2024-03-19&job=") and page_url.endswith("lang=da")
    deadline = time.monotonic() + 240
    html = ""
    while time.monotonic() < deadline:
        html = client.get(page_url, headers=h).text
        if 'data-status="running"' in html or 'data-status="queued"' in html:
            assert 'http-equiv="refresh"' in html and "<progress" in html
            time.sleep(0.5)
            continue
        break
    assert 'data-status="done"' in html, html[-2000:]
    assert "Færdig: plan" in html and 'http-equiv="refresh"' not in html
    assert 'id="kpis"' in html and 'data-plan-id="' in html


def test_overrides_through_the_forms(client: TestClient, seeded: Seed) -> None:
    """A bin forced out shows in the table, its remove button clears it; an unknown bin is a
    message on the page."""
    h = login(client, "planner")
    bin_id = seeded.bins[1]
    r = client.post(
        "/planner/page/overrides",
        data={"plan_date": "2024-03-20", "bin_id": bin_id, "mode": "exclude"},
        headers=h,
        follow_redirects=False,
    )
    assert r.status_code == 303
    html = client.get(r.headers["location"], headers=h).text
    assert f'data-bin="{bin_id}"' in html and "<td>exclude</td>" in html
    api = client.get("/planner/overrides/2024-03-20", headers=h).json()
    assert [(o["bin_id"], o["mode"]) for o in api] == [(bin_id, "exclude")]
    r = client.post(
        "/planner/page/overrides/delete",
        data={"plan_date": "2024-03-20", "bin_id": bin_id},
        headers=h,
    )
    assert r.status_code == 200 and f'data-bin="{bin_id}"' not in r.text
    r = client.post(
        "/planner/page/overrides?lang=da",
        data={"plan_date": "2024-03-20", "bin_id": "<b>nope</b>", "mode": "include"},
        headers=h,
    )
    assert r.status_code == 200 and "Der findes ingen kurv" in r.text
    assert "<b>nope</b>" not in r.text and "&lt;b&gt;nope" in r.text


def test_cross_site_posts_and_other_roles_are_refused(client: TestClient) -> None:
    """A post whose Origin is another site is 403; a driver gets 403; no session: the login."""
    h = login(client, "planner")
    data = {"plan_date": "2024-03-20", "bin_id": "bin-001", "mode": "exclude"}
    r = client.post(
        "/planner/page/overrides", data=data, headers={**h, "Origin": "https://evil.example"}
    )
    assert r.status_code == 403
    r = client.post(
        "/planner/page/overrides", data=data, headers={**h, "Sec-Fetch-Site": "cross-site"}
    )
    assert r.status_code == 403
    same = {**h, "Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
    ok = client.post("/planner/page/overrides", data=data, headers=same, follow_redirects=False)
    assert ok.status_code == 303
    browser = {"Accept": "text/html"}
    r = client.get("/planner", headers={**login(client, "driver1"), **browser})
    assert r.status_code == 403 and "<html" in r.text
    r = client.get("/planner?day=2024-03-18", headers=browser, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?")


def test_plan_map_has_legend_and_routes_as_text(client: TestClient, seeded: Seed) -> None:
    """The plan map: routes and stops drawn, a legend naming each stop status with its shape,
    and each route as a table row."""
    html = client.get(
        f"/planner/plans/{seeded.plan_id}/map?lang=da", headers=login(client, "planner")
    ).text
    assert "route route-truck-a" in html and "stop stop-planned" in html
    for s in ("planned", "emptied", "skipped"):
        assert f"data-legend='stop-{s}'" in html
    assert "stroke-dasharray" in html  # skipped stops are dashed in map and legend
    assert 'data-vehicle="truck-a"' in html and 'data-vehicle="truck-b"' in html
    assert '<html lang="da">' in html and "<h1>Plan " in html
