"""The whole-file validation of an inventory import (pure): typed rows, or every bad row with
its line and reason."""

from __future__ import annotations

from admin.records import ImportContext, InventoryKind, Location, RawRow, raw_rows
from admin.validate import validate
from core.domain import Bin, ParkingSite, Site, Vehicle, VehicleKind
from tests.cities import COPENHAGEN

BIN_COLUMNS = ["bin_id", "lon", "lat", "street", "district", "capacity_l"]
IN_CITY = (12.568, 55.676)  # Indre By


def ctx(**kw: object) -> ImportContext:
    base: dict[str, object] = {
        "city": COPENHAGEN.name,
        "bbox": COPENHAGEN.bbox,
        "districts": COPENHAGEN.districts,
        "co2_g_per_km": COPENHAGEN.co2_g_per_km,
    }
    return ImportContext(**{**base, **kw})  # type: ignore[arg-type]


def csv_rows(columns: list[str], lines: list[str]) -> list[RawRow]:
    """Rows as the CSV reader gives them: text values, line k+2 for the k-th data line."""
    return [
        RawRow(Location(line=k + 2), dict(zip(columns, line.split(","), strict=True)))
        for k, line in enumerate(lines)
    ]


def test_a_valid_bins_file_gives_typed_bins_with_defaults_and_districts() -> None:
    rows = csv_rows(
        [*BIN_COLUMNS, "sensor_id"],
        ["b1,12.568,55.676,Gade,,110,", "b2,12.55,55.70,Vej,Mit kvarter,80,S-9"],
    )
    v = validate(InventoryKind.BINS, rows, [*BIN_COLUMNS, "sensor_id"], ctx())
    assert v.ok and v.batch is not None
    b1, b2 = v.batch.items
    assert b1 == Bin("b1", 12.568, 55.676, "Gade", "Indre By", 110.0, 0.8, 60.0)
    assert isinstance(b2, Bin) and b2.district == "Mit kvarter"  # given names are kept
    assert v.batch.sensors == {"b1": "b1", "b2": "S-9"}  # no sensor_id: the bin's own id


def test_every_bad_row_is_reported_with_its_line_and_reason() -> None:
    columns = [*BIN_COLUMNS, "threshold", "sensor_id"]
    rows = csv_rows(
        columns,
        [
            "b1,12.568,55.676,Gade,,110,0.8,",  # line 2: good
            ",12.568,55.676,Gade,,110,,",  # 3: no id
            "b1,12.568,55.676,Gade,,110,,",  # 4: duplicate id
            "b4,13.5,55.676,Gade,,110,,",  # 5: outside the city
            "b5,12.568,55.676,Gade,,0,,",  # 6: capacity 0
            "b6,12.568,55.676,Gade,,110,80,",  # 7: threshold as a percentage
            "b7,east,55.676,Gade,,110,,",  # 8: not a number
            "b8,12.568,55.676,Gade,,110,,b1",  # 9: sensor b1 is on bin b1 already
            "b9,12.568,55.676,Gade,,,,",  # 10: capacity missing
        ],
    )
    v = validate(InventoryKind.BINS, rows, columns, ctx())
    assert not v.ok and v.batch is None
    got = [(e.where.line, e.item_id, e.reason) for e in v.errors]
    assert [g[0] for g in got] == [3, 4, 5, 6, 7, 8, 9, 10]
    reasons = dict((line, reason) for line, _, reason in got)
    assert reasons[3] == "bin_id is missing"
    assert reasons[4] == "duplicate bin_id b1 (first on line 2)"
    assert "outside Copenhagen's districts" in reasons[5]
    assert reasons[6] == "capacity_l must be positive (got 0)"
    assert "threshold must be a fill fraction in (0, 1]" in reasons[7]
    assert reasons[8] == "lon is not a number ('east')"
    assert "sensor b1 is already on bin b1 (line 2)" in reasons[9]
    assert reasons[10] == "capacity_l is missing"
    assert str(v.errors[1]) == "line 4: b1: duplicate bin_id b1 (first on line 2)"


def test_missing_columns_are_reported_on_the_header_line() -> None:
    v = validate(InventoryKind.BINS, [], ["bin_id", "street"], ctx())
    assert [(e.where.line, e.reason) for e in v.errors] == [
        (1, "missing column capacity_l"),
        (1, "missing column lon and lat (or Point geometries)"),
    ]


def test_an_empty_file_is_refused() -> None:
    v = validate(InventoryKind.BINS, [], BIN_COLUMNS, ctx())
    assert [e.reason for e in v.errors] == ["the file has no rows"]


def test_decimal_commas_and_unknown_columns() -> None:
    columns = [*BIN_COLUMNS, "colour"]
    rows = [
        RawRow(
            Location(line=2),
            dict(zip(columns, ["b1", "12,568", "55,676", "", "", "110", "green"], strict=True)),
        )
    ]
    v = validate(InventoryKind.BINS, rows, columns, ctx())
    assert v.batch is not None and v.batch.ignored_columns == ("colour",)
    assert isinstance(v.batch.items[0], Bin) and v.batch.items[0].lon == 12.568


def test_vehicles_get_the_profiles_co2_default_for_their_kind() -> None:
    columns = ["vehicle_id", "kind", "depot_id", "capacity_l", "shift_start_h", "shift_end_h"]
    columns.append("co2_g_per_km")
    rows = csv_rows(
        columns,
        [
            "t1,garbageCollection,D1,8000,6,14,",
            "c1,street_cleaner,D1,,7,15,",
            "o1,OTHER,D1,,22,30,95",
        ],
    )
    v = validate(InventoryKind.VEHICLES, rows, columns, ctx(depots=frozenset({"D1"})))
    assert v.batch is not None, v.errors
    t1, c1, o1 = v.batch.items
    assert isinstance(t1, Vehicle) and t1.co2_g_per_km == COPENHAGEN.co2_g_per_km[t1.kind]
    assert isinstance(c1, Vehicle) and c1.kind is VehicleKind.STREET_CLEANER
    assert c1.co2_g_per_km == COPENHAGEN.co2_g_per_km[VehicleKind.STREET_CLEANER]
    assert o1 == Vehicle("o1", VehicleKind.OTHER, "D1", 0.0, 0.0, 22.0, 30.0, 95.0)


def test_bad_vehicles() -> None:
    columns = ["vehicle_id", "kind", "depot_id", "capacity_l", "shift_start_h", "shift_end_h"]
    rows = csv_rows(
        columns,
        [
            "t1,garbageCollection,NOWHERE,8000,6,14",
            "t2,garbageCollection,D1,0,6,14",
            "t3,bus,D1,0,6,14",
            "t4,other,D1,0,14,6",
        ],
    )
    v = validate(InventoryKind.VEHICLES, rows, columns, ctx(depots=frozenset({"D1"})))
    reasons = {e.where.line: e.reason for e in v.errors}
    assert reasons[2].startswith("unknown depot 'NOWHERE'")
    assert reasons[3].startswith("capacity_l must be positive for a waste truck")
    assert reasons[4].startswith("kind 'bus' is not one of garbageCollection")
    assert reasons[5].startswith("the shift must end after it starts")


def test_a_sites_file_with_both_kinds_imports_its_own_kind() -> None:
    columns = ["site_id", "name", "kind", "lon", "lat"]
    rows = csv_rows(
        columns,
        ["D1,North,depot,12.55,55.70", "X1,Plant,disposal,12.62,55.66", "D2,,depot,12.5,55.7"],
    )
    v = validate(InventoryKind.DEPOTS, rows, columns, ctx())
    assert v.batch is not None and v.batch.skipped == 1
    assert v.batch.items == (Site("D1", "North", 12.55, 55.70), Site("D2", "D2", 12.5, 55.7))
    clash = validate(InventoryKind.DISPOSAL_SITES, rows, columns, ctx(site_roles={"X1": "depot"}))
    assert [e.reason for e in clash.errors] == [
        "site id X1 is already a depot site (depots and disposal sites share one set of ids)"
    ]


def test_retiring_a_depot_still_in_use_is_refused() -> None:
    columns = ["site_id", "lon", "lat"]
    rows = csv_rows(columns, ["D1,12.55,55.70"])
    c = ctx(existing={"D1": False, "D2": False, "D3": False}, depot_vehicles={"D2": ("t1",)})
    v = validate(InventoryKind.DEPOTS, rows, columns, c, retire_missing=True)
    assert [(e.item_id, str(e.where)) for e in v.errors] == [("D2", "file")]
    ok = validate(
        InventoryKind.DEPOTS, rows, columns, ctx(existing={"D1": False, "D3": False}), True
    )
    assert ok.batch is not None and ok.batch.retire == ("D3",)


def test_parking_sites_and_objects_as_rows() -> None:
    site = ParkingSite("p1", "Gade", "street", 12, *IN_CITY, "Gade", "")
    rows, columns = raw_rows([site])
    v = validate(InventoryKind.PARKING_SITES, rows, columns, ctx())
    assert v.batch is not None and v.batch.items == (
        ParkingSite("p1", "Gade", "street", 12, *IN_CITY, "Gade", "Indre By"),
    )
    bad = validate(
        InventoryKind.PARKING_SITES,
        [
            RawRow(
                Location(feature=3),
                {"site_id": "p2", "capacity": 2.5},
                "geometry is a Polygon, expected a Point",
            )
        ],
        ["site_id", "capacity", "lon", "lat"],
        ctx(),
    )
    assert [str(e) for e in bad.errors] == [
        "feature 3: p2: geometry is a Polygon, expected a Point",
        "feature 3: p2: capacity must be a whole number of spaces, 1 to 1,000,000 (got 2.5)",
    ]
