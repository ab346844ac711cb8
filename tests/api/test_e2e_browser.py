"""End to end in headless Chromium: the planner map loads offline and shows bins, routes and
vehicles (screenshot written); a driver marks a stop emptied on the page and the planner view
reflects it."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from core.settings import PROJECT_ROOT
from tests.api.conftest import PASSWORD

pytestmark = [pytest.mark.integration, pytest.mark.slow]
CHROMIUM = Path("/usr/bin/chromium")
playwright_api = pytest.importorskip("playwright.sync_api")


def _log_in(page: Any, server: str, username: str, landing: str) -> None:
    """Sign in through the login form and wait for the user's landing page."""
    page.goto(f"{server}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button")
    page.wait_for_url(landing)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed")
def test_planner_map_offline_and_driver_report(server: str, tmp_path: Path) -> None:
    """Planner map shows 5 bins, 2 routes, 2 trucks with only localhost traffic; a driver's
    'Emptied' click shows up in the planner view."""
    outside: list[str] = []
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:

            def guard(route: object) -> None:
                url = route.request.url  # type: ignore[attr-defined]
                if url.startswith(server) or url.startswith("data:"):
                    route.continue_()  # type: ignore[attr-defined]
                else:
                    outside.append(url)
                    route.abort()  # type: ignore[attr-defined]

            planner = browser.new_context(viewport={"width": 1200, "height": 800})
            planner.route("**/*", guard)
            pp = planner.new_page()
            _log_in(pp, server, "planner", f"{server}/planner/live")
            pp.wait_for_selector("body.streets-loaded", state="attached", timeout=60_000)
            assert pp.locator("path.bin").count() == 5
            assert pp.locator("path.route").count() == 2
            assert pp.locator("path.vehicle").count() == 2
            assert pp.locator("path.stop-emptied").count() == 0
            assert (
                "OpenStreetMap contributors"
                in pp.locator(".leaflet-control-attribution").inner_text()
            )
            shot = tmp_path / "planner_live.png"
            pp.screenshot(path=str(shot))
            assert shot.stat().st_size > 10_000
            keep = PROJECT_ROOT / "var" / "e2e"
            keep.mkdir(parents=True, exist_ok=True)
            shutil.copy(shot, keep / shot.name)

            driver = browser.new_context(viewport={"width": 390, "height": 844})
            driver.route("**/*", guard)
            dp = driver.new_page()
            _log_in(dp, server, "driver1", f"{server}/driver/routes/truck-a/page")
            dp.locator("#stop-1 button.emptied").click()
            dp.wait_for_selector("#stop-1.emptied")
            assert "1 emptied" in dp.locator("#progress").inner_text()
            dp.screenshot(path=str(keep / "driver_route.png"))

            pp.reload()
            pp.wait_for_selector("body.streets-loaded", state="attached", timeout=60_000)
            assert "1 emptied" in pp.locator("#progress").inner_text()
            assert pp.locator("path.stop-emptied").count() == 1
        finally:
            browser.close()
    assert outside == []


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed")
def test_api_docs_render_offline_under_the_csp(server: str) -> None:
    """Swagger UI lists the operations with only localhost traffic and no CSP violation."""
    outside: list[str] = []
    refused: list[str] = []
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:

            def guard(route: object) -> None:
                url = route.request.url  # type: ignore[attr-defined]
                if url.startswith((server, "data:")):
                    route.continue_()  # type: ignore[attr-defined]
                else:
                    outside.append(url)
                    route.abort()  # type: ignore[attr-defined]

            ctx = browser.new_context()
            ctx.route("**/*", guard)
            page = ctx.new_page()
            page.on(
                "console",
                lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
            )
            page.goto(f"{server}/docs")
            page.wait_for_selector(".opblock", timeout=30_000)
            assert page.locator(".opblock").count() > 20
        finally:
            browser.close()
    assert outside == [] and refused == []


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed")
def test_planner_generates_a_plan_and_citizen_finds_a_street(server: str) -> None:
    """A planner generates the day's plan from the page, which watches the job and then shows
    the plan's key figures; a citizen finds a street by name and gets an answer as text; only
    localhost traffic."""
    outside: list[str] = []
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:

            def guard(route: object) -> None:
                url = route.request.url  # type: ignore[attr-defined]
                if url.startswith((server, "data:")):
                    route.continue_()  # type: ignore[attr-defined]
                else:
                    outside.append(url)
                    route.abort()  # type: ignore[attr-defined]

            planner = browser.new_context(locale="da-DK")
            planner.route("**/*", guard)
            pp = planner.new_page()
            _log_in(pp, server, "planner", f"{server}/planner/live")
            pp.goto(f"{server}/planner?day=2024-03-19")
            assert pp.locator("html").get_attribute("lang") == "da"  # from Accept-Language
            pp.fill("#bin_id", "bin-004")
            pp.select_option("#mode", "exclude")
            pp.click("#override-form button")
            pp.wait_for_selector("#overrides tr[data-bin='bin-004']")
            pp.fill("#time_limit_s", "2")
            pp.click("button[name=replan][value='0']")
            pp.wait_for_selector(
                "#job[data-status='done'], #job[data-status='failed']", timeout=240_000
            )
            assert "Færdig: plan" in pp.locator("#job").inner_text()
            assert pp.locator("#kpis tr").count() >= 8
            pp.click("#plan-map")
            pp.wait_for_selector("#legend", state="attached")
            assert pp.locator("#routes").count() == 1  # the routes as text (may be none)

            citizen = browser.new_context(locale="en-GB")
            citizen.route("**/*", guard)
            cp = citizen.new_page()
            cp.goto(f"{server}/citizen/parking/map?radius_m=5000")
            cp.fill("#q", "norrebrogade")
            cp.click("button[name=find]")
            cp.wait_for_selector("#place")
            assert "Nørrebrogade" in cp.locator("#place").inner_text()
            assert cp.locator("#reason").inner_text().strip()
            assert cp.locator("#candidates tbody tr").count() >= 1
        finally:
            browser.close()
    assert outside == []
