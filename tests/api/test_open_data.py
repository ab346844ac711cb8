"""Open-data exports: aggregated, non-personal, CSV and GeoJSON."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

pytestmark = pytest.mark.integration


def test_fill_statistics_csv_is_aggregated(client: TestClient) -> None:
    """Fill statistics are per district and hour, without bin or vehicle ids."""
    r = client.get("/open/fill-statistics")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert rows and set(rows[0]) == {
        "district",
        "hour",
        "mean_filling_level",
        "max_filling_level",
        "readings",
    }


def test_parking_occupancy_geojson(client: TestClient) -> None:
    """Parking occupancy per site and hour as GeoJSON points."""
    fc = client.get("/open/parking-occupancy", params={"format": "geojson"}).json()
    assert fc["features"][0]["properties"]["meanOccupancy"] == pytest.approx(0.8)


def test_open_bins_geojson(client: TestClient) -> None:
    """Bins as GeoJSON with fillingLevel and no vehicle data."""
    fc = client.get("/open/bins.geojson").json()
    assert len(fc["features"]) == 5 and "vehicle" not in str(fc)
