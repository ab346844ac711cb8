"""The driver's route page and map in the city's local time, Danish or English, with a legend
and the stops as text."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import login

pytestmark = pytest.mark.integration


def test_etas_are_in_the_citys_local_time(client: TestClient) -> None:
    """The fixture's first stop is due 06:00 UTC on 18 March: 07:00 in Copenhagen (CET)."""
    h = login(client, "driver1")
    html = client.get("/driver/routes/truck-a/page?day=2024-03-18&lang=da", headers=h).text
    assert "<time class='eta'>07:00</time>" in html and "<time class='eta'>06:00</time>" not in html
    assert "Tiderne er lokal tid (Europe/Copenhagen)" in html
    assert "Tømt" in html and "<label class='inline' for='fill-1'>" in html
    mp = client.get("/driver/routes/truck-a/map?day=2024-03-18", headers=h).text
    assert "1. 07:00 bin-000" in mp and "data-legend='stop-skipped'" in mp


def test_form_report_keeps_the_language(client: TestClient) -> None:
    """Reporting a stop from the Danish page comes back to the Danish page."""
    h = login(client, "driver1")
    html = client.get("/driver/routes/truck-a/page?day=2024-03-18&lang=da", headers=h).text
    assert "stops/1/form?plan_id=" in html and "&amp;lang=da" in html
    r = client.post(
        "/driver/routes/truck-a/stops/1/form?lang=da",
        data={"status": "emptied", "fill_observed": "0.8"},
        headers=h,
    )
    assert r.status_code == 200 and '<html lang="da">' in r.text and "1 tømt" in r.text
