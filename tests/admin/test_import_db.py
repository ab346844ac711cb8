"""`city-admin import` on a real database: a valid file is written in one transaction with an
audit entry, a bad one writes nothing and names every bad row; re-imports update by id, items
missing from the file are retired only when asked, a dry run writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.db.inventory import known_ids, load_bins, load_vehicles
from core.domain import VehicleKind
from tests.admin.conftest import city_admin, rows, with_conn
from tests.cities import COPENHAGEN

pytestmark = pytest.mark.integration

BINS_CSV = """bin_id,lon,lat,street,district,capacity_l,sensor_id,threshold,service_s
CPH-1,12.568,55.676,Strøget,,110,,,
CPH-2,12.550,55.700,Nørrebrogade,Nørrebro,160,S-77,0.75,90
CPH-3,12.600,55.660,Amagerbrogade,,80,,,
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_a_valid_csv_is_imported_with_sensors_and_an_audit_entry(
    admin_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert city_admin("import", write(tmp_path, "bins.csv", BINS_CSV), "--kind", "bins") == 0
    assert "imported 3 bins: 3 new, 0 updated" in capsys.readouterr().out
    got = {
        r["bin_id"]: tuple(r)[1:]
        for r in rows(
            admin_db, "SELECT bin_id, district, capacity_l, threshold, service_s FROM bins"
        )
    }
    assert got == {
        "CPH-1": ("Indre By", 110.0, 0.8, 60.0),  # district from the city's polygons
        "CPH-2": ("Nørrebro", 160.0, 0.75, 90.0),
        "CPH-3": ("Amager", 80.0, 0.8, 60.0),
    }
    sensors = rows(admin_db, "SELECT sensor_id, bin_id FROM sensors WHERE removed_at IS NULL")
    assert sorted(tuple(r) for r in sensors) == [
        ("CPH-1", "CPH-1"),
        ("CPH-3", "CPH-3"),
        ("S-77", "CPH-2"),
    ]
    (audit,) = rows(admin_db, "SELECT actor, action, target, details FROM audit_log")
    assert audit["actor"].startswith("cli:") and audit["action"] == "inventory.import"
    details = json.loads(audit["details"])
    assert audit["target"] == "bins" and details["created"] == 3 and details["source"] == "bins.csv"


def test_a_bad_file_writes_nothing_and_names_every_bad_row(
    admin_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = BINS_CSV + "CPH-1,12.57,55.68,Dup,,110,,,\n"
    bad += "CPH-5,14.0,55.68,Far,,110,,,\nCPH-6,12.57,55.68,Neg,,-5,,,\n"
    assert city_admin("import", write(tmp_path, "bins.csv", bad), "--kind", "bins") == 1
    err = capsys.readouterr().err
    assert "3 error(s); nothing was written" in err
    assert "line 5: CPH-1: duplicate bin_id CPH-1 (first on line 2)" in err
    assert "line 6: CPH-5: position (14.000000, 55.680000) (lon, lat) is outside" in err
    assert "line 7: CPH-6: capacity_l must be positive (got -5)" in err
    for table in ("bins", "sensors", "audit_log"):
        assert rows(admin_db, f"SELECT count(*) FROM {table}")[0][0] == 0


def test_json_report_of_a_refused_file(
    admin_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = write(tmp_path, "bins.csv", "bin_id,lon,lat,capacity_l\n,12.57,55.68,110\n")
    assert city_admin("import", p, "--kind", "bins", "--json") == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    assert report["errors"] == [
        {"line": 2, "feature": None, "id": "", "reason": "bin_id is missing"}
    ]


def test_dry_run_writes_nothing(
    admin_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = write(tmp_path, "bins.csv", BINS_CSV)
    assert city_admin("import", p, "--kind", "bins", "--dry-run") == 0
    assert "would import 3 bins: 3 new" in capsys.readouterr().out
    for table in ("bins", "sensors", "audit_log"):
        assert rows(admin_db, f"SELECT count(*) FROM {table}")[0][0] == 0


def test_geojson_import_then_reimport_updates_and_retires_only_when_asked(
    admin_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    features = [
        {
            "type": "Feature",
            "properties": {"bin_id": b, "capacity_l": 110, "street": "Vej"},
            "geometry": {"type": "Point", "coordinates": [lon, 55.68]},
        }
        for b, lon in (("G1", 12.56), ("G2", 12.57), ("G3", 12.58))
    ]
    geojson = json.dumps({"type": "FeatureCollection", "features": features})
    assert city_admin("import", write(tmp_path, "bins.geojson", geojson), "--kind", "bins") == 0
    again = "bin_id,lon,lat,capacity_l\nG1,12.56,55.68,240\nG2,12.57,55.68,110\n"
    p = write(tmp_path, "again.csv", again)
    assert city_admin("import", p, "--kind", "bins") == 0
    assert [b.bin_id for b in with_conn(admin_db, load_bins)] == ["G1", "G2", "G3"]
    assert city_admin("import", p, "--kind", "bins", "--retire-missing") == 0
    out = capsys.readouterr().out
    assert "2 updated (0 brought back from retirement), 1 retired" in out
    bins = with_conn(admin_db, load_bins)
    assert [(b.bin_id, b.capacity_l) for b in bins] == [("G1", 240.0), ("G2", 110.0)]
    assert "G3" not in with_conn(admin_db, lambda c: known_ids(c, "fill"))
    open_g3 = "SELECT count(*) FROM sensors WHERE bin_id = 'G3' AND removed_at IS NULL"
    assert rows(admin_db, open_g3)[0][0] == 0
    back = write(tmp_path, "back.csv", again + "G3,12.58,55.68,110\n")
    assert city_admin("import", back, "--kind", "bins") == 0
    assert "1 brought back from retirement" in capsys.readouterr().out
    assert "G3" in with_conn(admin_db, lambda c: known_ids(c, "fill"))


def test_vehicles_default_to_the_profiles_co2_and_need_a_known_depot(
    admin_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    depots = "site_id,name,lon,lat\nD1,North,12.55,55.70\n"
    assert city_admin("import", write(tmp_path, "d.csv", depots), "--kind", "depots") == 0
    vehicles = (
        "vehicle_id,kind,depot_id,capacity_l,capacity_kg,shift_start_h,shift_end_h,co2_g_per_km\n"
        "T1,garbageCollection,D1,8000,4000,6,14,\n"
        "C1,streetCleaning,D1,0,0,7,15,450\n"
    )
    assert city_admin("import", write(tmp_path, "v.csv", vehicles), "--kind", "vehicles") == 0
    got = {v.vehicle_id: v.co2_g_per_km for v in with_conn(admin_db, load_vehicles)}
    assert got == {"T1": COPENHAGEN.co2_g_per_km[VehicleKind.WASTE_TRUCK], "C1": 450.0}
    unknown = vehicles.replace("T1,garbageCollection,D1", "T2,garbageCollection,D9")
    assert city_admin("import", write(tmp_path, "v2.csv", unknown), "--kind", "vehicles") == 1
    assert "line 2: T2: unknown depot 'D9'" in capsys.readouterr().err
