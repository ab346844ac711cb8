"""The city profile: loading through the settings, validation messages, district polygons."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from shapely.geometry import box

from core.city_files import CityProfileError, load_profile
from core.districts import OUTSIDE, Districts
from core.domain import Site, VehicleKind
from core.settings import Settings
from simulations.city import make_fleet
from tests.cities import COPENHAGEN, PRAIRIEVILLE_DIR

ROOT = Path(__file__).resolve().parents[2]
CITY_LITERALS = ("Europe/Copenhagen", "COPENHAGEN")
SOURCE_DIRS = ("core", "ingest", "routing", "forecasting", "fleet", "parking", "api", "maps")
SOURCE_DIRS += ("simulations", "benchmarks", "scripts")


@pytest.fixture
def city_dir(tmp_path: Path) -> Path:
    """A writable copy of the made-up Prairieville profile directory."""
    d = tmp_path / "prairieville"
    shutil.copytree(PRAIRIEVILLE_DIR, d)
    return d


def _rewrite(d: Path, **changes: object) -> None:
    raw = json.loads((d / "profile.json").read_text())
    raw.update(changes)
    (d / "profile.json").write_text(json.dumps(raw))


def test_settings_load_the_builtin_copenhagen_profile() -> None:
    """The default settings give Copenhagen: its zone, box, centre and both OSM extracts."""
    p = Settings(city="copenhagen").city_profile()
    assert (p.name, p.timezone) == ("Copenhagen", "Europe/Copenhagen")
    assert p.bbox.contains(*p.map_centre)
    assert [f.name for f in p.osm_files] == [
        "copenhagen_central_drive.overpass.json",
        "copenhagen_main_roads.overpass.json",
    ]


def test_settings_load_a_profile_directory(city_dir: Path) -> None:
    """CITYOPS_CITY may be a directory; its OSM paths resolve against the data directory."""
    p = Settings(city=str(city_dir), data_dir=city_dir).city_profile()
    assert (p.name, p.timezone) == ("Prairieville", "America/Chicago")
    assert p.osm_files == (city_dir / "osm" / "prairieville.overpass.json",)
    assert p.co2_g_per_km[VehicleKind.WASTE_TRUCK] == 1300.0


def test_copenhagen_co2_defaults_are_what_the_simulated_fleet_uses() -> None:
    """Trucks 1100 g/km, cleaners 600 g/km; other vehicles the 0/120/180/250 g/km mix around 180."""
    fleet = make_fleet(
        np.random.default_rng(1),
        [Site("D", "Depot", 12.5, 55.7)],
        200,
        10,
        20,
        COPENHAGEN.co2_g_per_km,
    )
    by_kind: dict[VehicleKind, set[float]] = {}
    for v in fleet:
        by_kind.setdefault(v.kind, set()).add(v.co2_g_per_km)
    assert by_kind[VehicleKind.WASTE_TRUCK] == {1100.0}
    assert by_kind[VehicleKind.STREET_CLEANER] == {600.0}
    assert by_kind[VehicleKind.OTHER] == {0.0, 120.0, 180.0, 250.0}


def test_copenhagen_districts_cover_the_box_and_say_they_are_approximate() -> None:
    """The six districts cover the municipality's box; the layer is labelled an approximation."""
    d = COPENHAGEN.districts
    b = COPENHAGEN.bbox
    assert d.covers(box(b.min_lon, b.min_lat, b.max_lon, b.max_lat))
    assert set(d.distinct_names) == {
        "Indre By",
        "Østerbro",
        "Nørrebro",
        "Frederiksberg",
        "Vesterbro",
        "Amager",
    }
    assert "approximation" in d.source.lower() and "official" in d.source.lower()


def test_first_polygon_wins_and_a_point_in_none_is_outside() -> None:
    """Overlaps go to the earlier polygon (Old Town over North/South Side); outside is ""."""
    d = load_profile(str(PRAIRIEVILLE_DIR), PRAIRIEVILLE_DIR).districts
    assert d.at(-89.970, 41.0155) == "Old Town"
    assert d.at(-89.990, 41.030) == "North Side"
    assert d.at(-89.990, 41.000) == "South Side"
    assert d.at(-80.0, 41.0) == OUTSIDE == ""
    assert Districts.none().at(-89.97, 41.0155) == OUTSIDE


def test_assignment_is_vectorised_over_arrays_of_any_shape() -> None:
    """assign takes arrays (here 2 x 3) and matches the point-by-point answer."""
    d = COPENHAGEN.districts
    lon = np.array([[12.580, 12.580, 12.550], [12.530, 12.555, 13.5]])
    lat = np.array([[55.681, 55.705, 55.695], [55.680, 55.670, 55.0]])
    names = d.assign(lon, lat)
    assert names.shape == (2, 3)
    assert names.tolist() == [
        [d.at(x, y) for x, y in zip(a, b, strict=True)] for a, b in zip(lon, lat, strict=True)
    ]
    assert names[1, 2] == OUTSIDE


def test_an_official_layer_in_another_crs_replaces_the_file(tmp_path: Path) -> None:
    """A GeoPackage in UTM 32N with names under `navn` is reprojected: same districts as before."""
    import geopandas as gpd

    d = tmp_path / "cph"
    shutil.copytree(ROOT / "core" / "cities" / "copenhagen", d)
    frame = gpd.read_file(d / "districts.geojson").rename(columns={"name": "navn"})
    frame.to_crs("EPSG:25832").to_file(d / "bydele.gpkg", driver="GPKG")
    (d / "districts.geojson").unlink()
    _rewrite(d, districts="bydele.gpkg", district_name_property="navn")
    p = load_profile(str(d), tmp_path)
    pts = [(12.580, 55.681), (12.580, 55.705), (12.550, 55.695), (12.530, 55.680), (12.62, 55.66)]
    assert [p.districts.at(*q) for q in pts] == [COPENHAGEN.districts.at(*q) for q in pts]


def test_unknown_time_zone_is_refused(city_dir: Path) -> None:
    """A profile with an unknown IANA zone fails, naming the city and the zone."""
    _rewrite(city_dir, timezone="Mars/Olympus_Mons")
    with pytest.raises(
        CityProfileError, match="Prairieville: unknown time zone 'Mars/Olympus_Mons'"
    ):
        load_profile(str(city_dir), city_dir)


def test_map_centre_outside_the_box_is_refused(city_dir: Path) -> None:
    """A map centre outside the city's bounding box fails with both in the message."""
    _rewrite(city_dir, map_centre=[12.568, 55.676])
    with pytest.raises(CityProfileError, match=r"map centre \(12.568, 55.676\).*outside its"):
        load_profile(str(city_dir), city_dir)


def test_missing_files_are_named(city_dir: Path, tmp_path: Path) -> None:
    """A missing profile.json or districts file, or an unknown city name, fails saying which."""
    (city_dir / "districts.geojson").unlink()
    with pytest.raises(CityProfileError, match="missing districts file .*districts.geojson"):
        load_profile(str(city_dir), city_dir)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(CityProfileError, match="missing file profile.json"):
        load_profile(str(empty), empty)
    with pytest.raises(CityProfileError, match="no city profile 'atlantis'.*copenhagen"):
        Settings(city="atlantis").city_profile()


def test_missing_key_and_incomplete_co2_are_refused(city_dir: Path) -> None:
    """A profile without a time zone, or without a CO2 default for a vehicle kind, fails."""
    raw = json.loads((city_dir / "profile.json").read_text())
    del raw["timezone"]
    (city_dir / "profile.json").write_text(json.dumps(raw))
    with pytest.raises(CityProfileError, match="missing key 'timezone'"):
        load_profile(str(city_dir), city_dir)
    raw["timezone"] = "America/Chicago"
    raw["co2_g_per_km"] = {"garbageCollection": 1300.0}
    (city_dir / "profile.json").write_text(json.dumps(raw))
    with pytest.raises(CityProfileError, match="no default CO2 factor for .*streetCleaning"):
        load_profile(str(city_dir), city_dir)


def test_bad_district_polygons_are_refused(city_dir: Path) -> None:
    """A self-intersecting polygon or a feature without a name fails, naming the district."""
    layer = json.loads((city_dir / "districts.geojson").read_text())
    bowtie = [[[-89.99, 41.0], [-89.95, 41.03], [-89.95, 41.0], [-89.99, 41.03], [-89.99, 41.0]]]
    layer["features"][0]["geometry"]["coordinates"] = bowtie
    (city_dir / "districts.geojson").write_text(json.dumps(layer))
    with pytest.raises(CityProfileError, match="district 'Old Town': invalid polygon"):
        load_profile(str(city_dir), city_dir)
    layer["features"] = layer["features"][1:]
    layer["features"][0]["properties"] = {"name": ""}
    (city_dir / "districts.geojson").write_text(json.dumps(layer))
    with pytest.raises(CityProfileError, match="non-empty name"):
        load_profile(str(city_dir), city_dir)


def test_no_city_literal_outside_profiles_and_tests() -> None:
    """No Python source outside core/cities/ and tests/ names Copenhagen's zone or COPENHAGEN."""
    offenders = []
    for pkg in SOURCE_DIRS:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            rel = path.relative_to(ROOT)
            if rel.parts[:2] == ("core", "cities"):
                continue
            text = path.read_text(encoding="utf-8")
            offenders += [f"{rel}: {s}" for s in CITY_LITERALS if s in text]
    assert offenders == []
