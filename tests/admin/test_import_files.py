"""Reading inventory files: CSV lines keep their numbers (the header is line 1), GeoJSON and
GeoPackage features their index, other CRSs are reprojected to WGS84."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
from shapely.geometry import Point, box

from admin.files import read_rows
from admin.records import InventoryKind


def test_csv_lines_keep_their_numbers_past_blank_lines(tmp_path: Path) -> None:
    p = tmp_path / "bins.csv"
    p.write_text("bin_id,lon,lat\nb1,12.5,55.6\n\nb2,12.6,55.7\n,,\nb3,1,2\n", encoding="utf-8")
    got = read_rows(p, InventoryKind.BINS)
    assert got.columns == ("bin_id", "lon", "lat") and not got.errors
    assert [(r.where.line, r.values["bin_id"]) for r in got.rows] == [
        (2, "b1"),
        (4, "b2"),
        (6, "b3"),
    ]


def test_semicolon_csv_in_windows_1252(tmp_path: Path) -> None:
    p = tmp_path / "bins.csv"
    p.write_bytes("BIN_ID;LON;LAT;STREET\nb1;12,5;55,6;Åboulevard\n".encode("cp1252"))
    row = read_rows(p, InventoryKind.BINS).rows[0]
    assert row.values == {"bin_id": "b1", "lon": "12,5", "lat": "55,6", "street": "Åboulevard"}


def test_an_unreadable_csv_is_one_error(tmp_path: Path) -> None:
    p = tmp_path / "bins.csv"
    p.write_text('bin_id,lon\n"b1,2\n', encoding="utf-8")
    got = read_rows(p, InventoryKind.BINS)
    assert not got.rows and len(got.errors) == 1 and "not readable" in got.errors[0].reason
    missing = read_rows(tmp_path / "none.csv", InventoryKind.BINS)
    assert missing.errors[0].reason.startswith("no file")


def test_geojson_features_give_lon_lat_or_say_why_not(tmp_path: Path) -> None:
    p = tmp_path / "bins.geojson"
    ring = [[12.5, 55.6], [12.6, 55.6], [12.6, 55.7], [12.5, 55.6]]
    features = [
        {
            "type": "Feature",
            "properties": {"bin_id": "b1", "capacity_l": 110},
            "geometry": {"type": "Point", "coordinates": [12.56, 55.68]},
        },
        {
            "type": "Feature",
            "properties": {"bin_id": "b2", "capacity_l": None},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        },
    ]
    p.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    got = read_rows(p, InventoryKind.BINS)
    assert set(got.columns) == {"bin_id", "capacity_l", "lon", "lat"}
    first, second = got.rows
    assert first.where.feature == 0 and first.values["lon"] == 12.56
    assert first.values["capacity_l"] == 110 and first.values["bin_id"] == "b1"
    assert second.where.feature == 1 and second.values["capacity_l"] is None
    assert second.geometry_error == "geometry is a Polygon, expected a Point"


def test_geopackage_in_another_crs_is_reprojected_and_its_kind_layer_chosen(tmp_path: Path) -> None:
    p = tmp_path / "city.gpkg"
    sites = gpd.GeoDataFrame(
        {"site_id": ["D1"], "name": ["North"]}, geometry=[Point(12.55, 55.70)], crs="EPSG:4326"
    ).to_crs("EPSG:25832")
    other = gpd.GeoDataFrame({"x": [1]}, geometry=[box(0, 0, 1, 1)], crs="EPSG:4326")
    other.to_file(p, layer="districts", driver="GPKG")
    sites.to_file(p, layer="depots", driver="GPKG")
    got = read_rows(p, InventoryKind.DEPOTS)
    (row,) = got.rows
    assert row.values["site_id"] == "D1"
    assert abs(float(row.values["lon"]) - 12.55) < 1e-7  # type: ignore[arg-type]
    assert abs(float(row.values["lat"]) - 55.70) < 1e-7  # type: ignore[arg-type]
