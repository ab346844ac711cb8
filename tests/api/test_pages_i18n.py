"""Every HTML page renders in Danish and English, chosen by ?lang= over Accept-Language, with a
visible switch that keeps the other query parameters, a skip link, a <main> and headings."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from api.html import SKIP
from tests.api.conftest import Seed, login

pytestmark = pytest.mark.integration

# page route -> (address, user, an English text, a Danish text)
PAGES = {
    "/login": ("/login", None, "Username", "Brugernavn"),
    "/citizen/parking/map": (
        "/citizen/parking/map?radius_m=2000",
        None,
        "Street or place",
        "Gade eller sted",
    ),
    "/driver/routes/{vehicle_id}/page": (
        "/driver/routes/truck-a/page?day=2024-03-18",
        "driver1",
        "Fill seen",
        "Set fyldning",
    ),
    "/driver/routes/{vehicle_id}/map": (
        "/driver/routes/truck-a/map?day=2024-03-18",
        "driver1",
        "Stop list",
        "Stopliste",
    ),
    "/planner": ("/planner?day=2024-03-18", "planner", "Key figures", "Nøgletal"),
    "/planner/live": ("/planner/live?day=2024-03-18", "planner", "Live operations", "Driften"),
    "/planner/plans/{plan_id}/map": (
        "/planner/plans/{plan_id}/map",
        "planner",
        "Plan map",
        "Plankort",
    ),
    "/fleet": ("/fleet?since=2024-03-18&until=2024-03-18", "planner", "Fleet", "Flåde"),
}


def _html_routes(client: TestClient) -> set[str]:
    """GET operations whose answer is text/html, from the OpenAPI document."""
    spec = client.app.openapi()  # type: ignore[attr-defined]
    return {
        path
        for path, ops in spec["paths"].items()
        if "text/html" in ops.get("get", {}).get("responses", {}).get("200", {}).get("content", {})
    }


def test_every_html_page_is_covered(client: TestClient) -> None:
    """The list above names every GET route that answers HTML (a new page must join it)."""
    assert _html_routes(client) == set(PAGES)


@pytest.mark.parametrize("route", sorted(PAGES))
def test_page_in_both_languages(client: TestClient, seeded: Seed, route: str) -> None:
    """?lang=da and Accept-Language: da give <html lang="da"> and Danish text; ?lang= wins over
    the header; the switch link keeps the other parameters; skip link, <main> and <h1>."""
    url, user, en, da = PAGES[route]
    url = url.format(plan_id=seeded.plan_id)
    h = login(client, user) if user else {}
    sep = "&" if "?" in url else "?"
    for lang, text, how in (
        ("da", da, {"params": None, "headers": {"Accept-Language": "da-DK,da;q=0.9"}}),
        ("en", en, {"params": None, "headers": {"Accept-Language": "en-GB"}}),
    ):
        for address, extra in ((f"{url}{sep}lang={lang}", {}), (url, how["headers"])):
            r = client.get(address, headers={**h, **extra})
            assert r.status_code == 200, (address, r.text[:300])
            assert f'<html lang="{lang}">' in r.text and text in r.text, address
            assert "<main" in r.text and "<h1" in r.text
            assert 'class="skip"' in r.text
            other = "en" if lang == "da" else "da"
            links = re.findall(r"""class=["']lang-switch["'][^>]*href=["']([^"']+)""", r.text)
            links += re.findall(r"""href=["']([^"']+)["'][^>]*class=["']lang-switch""", r.text)
            links += re.findall(
                r"""class=["']lang-switch["'] lang=["']\w+["'] href=["']([^"']+)""", r.text
            )
            assert any(f"lang={other}" in x for x in links), address
            if "?" in url:  # the other parameters survive the switch
                first = url.split("?", 1)[1].split("&")[0].replace("&", "&amp;")
                assert any(first in x.replace("&amp;", "&") for x in links), (address, links)
    r = client.get(f"{url}{sep}lang=en", headers={**h, "Accept-Language": "da"})
    assert '<html lang="en">' in r.text


def test_map_pages_skip_link_in_both_languages() -> None:
    """The map pages' skip link has a Danish and an English text."""
    assert SKIP["da"] != SKIP["en"]
