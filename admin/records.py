"""What an inventory import reads and decides, as plain data (pure).

A file is read into :class:`RawRow` values (one per CSV line or GeoJSON/GeoPackage feature, with
where it came from); :func:`admin.validate.validate` turns them into an :class:`ImportBatch` of
typed inventory items, or the :class:`RowError` of every bad row. Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from core.districts import Districts
from core.domain import Bin, BoundingBox, ParkingSite, Site, Vehicle, VehicleKind


class InventoryKind(StrEnum):
    """What one import file holds (``--kind``)."""

    BINS = "bins"
    VEHICLES = "vehicles"
    DEPOTS = "depots"
    DISPOSAL_SITES = "disposal-sites"
    PARKING_SITES = "parking-sites"

    @property
    def id_column(self) -> str:
        return {
            InventoryKind.BINS: "bin_id",
            InventoryKind.VEHICLES: "vehicle_id",
        }.get(self, "site_id")

    @property
    def site_role(self) -> str:
        """``depot`` or ``disposal`` for the two kinds of fixed sites; '' otherwise."""
        return {InventoryKind.DEPOTS: "depot", InventoryKind.DISPOSAL_SITES: "disposal"}.get(
            self, ""
        )

    @property
    def located(self) -> bool:
        """Whether each item has a position (lon/lat columns or a Point geometry)."""
        return self is not InventoryKind.VEHICLES


# Columns of each kind: required, then optional (any other column is ignored and reported).
REQUIRED: dict[InventoryKind, tuple[str, ...]] = {
    InventoryKind.BINS: ("bin_id", "lon", "lat", "capacity_l"),
    InventoryKind.VEHICLES: ("vehicle_id", "kind", "depot_id", "shift_start_h", "shift_end_h"),
    InventoryKind.DEPOTS: ("site_id", "lon", "lat"),
    InventoryKind.DISPOSAL_SITES: ("site_id", "lon", "lat"),
    InventoryKind.PARKING_SITES: ("site_id", "lon", "lat", "capacity"),
}
OPTIONAL: dict[InventoryKind, tuple[str, ...]] = {
    InventoryKind.BINS: ("street", "district", "sensor_id", "threshold", "service_s"),
    InventoryKind.VEHICLES: ("capacity_l", "capacity_kg", "co2_g_per_km"),
    InventoryKind.DEPOTS: ("name", "kind"),
    InventoryKind.DISPOSAL_SITES: ("name", "kind"),
    InventoryKind.PARKING_SITES: ("name", "kind", "street", "district"),
}


@dataclass(frozen=True, slots=True)
class Location:
    """Where a row is in its file: a CSV line (the header is line 1), a feature index (0-based,
    as in a FeatureCollection's ``features`` array), or the file as a whole."""

    line: int | None = None
    feature: int | None = None

    def __str__(self) -> str:
        if self.line is not None:
            return f"line {self.line}"
        if self.feature is not None:
            return f"feature {self.feature}"
        return "file"


FILE = Location()
HEADER = Location(line=1)


@dataclass(frozen=True, slots=True)
class RawRow:
    """One row or feature as read: column → value (str from CSV, JSON types from GeoJSON;
    a Point geometry is given as ``lon``/``lat``); ``geometry_error`` says why a feature's
    geometry is not a usable point."""

    where: Location
    values: Mapping[str, object]
    geometry_error: str = ""


@dataclass(frozen=True, slots=True)
class RowError:
    """A reason the import is refused, and where."""

    where: Location
    reason: str
    item_id: str = ""

    def __str__(self) -> str:
        who = f" {self.item_id}:" if self.item_id else ""
        return f"{self.where}:{who} {self.reason}"

    def as_dict(self) -> dict[str, object]:
        return {
            "line": self.where.line,
            "feature": self.where.feature,
            "id": self.item_id,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class ImportContext:
    """What validation checks rows against: the city and what the database already holds.

    ``existing`` maps the ids of this kind already stored to whether they are retired;
    ``site_roles`` every stored site id to its role (``depot``/``disposal``); ``depots`` the
    active depot ids (vehicles must start from one); ``depot_vehicles`` each active depot's
    active vehicles (a depot still in use cannot be retired).
    """

    city: str
    bbox: BoundingBox
    districts: Districts
    co2_g_per_km: Mapping[VehicleKind, float]
    existing: Mapping[str, bool] = field(default_factory=dict)
    site_roles: Mapping[str, str] = field(default_factory=dict)
    depots: frozenset[str] = frozenset()
    depot_vehicles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


Item = Bin | Vehicle | Site | ParkingSite


@dataclass(frozen=True)
class ImportBatch:
    """A validated file: its items in file order, each bin's sensor id, and what the write will
    do relative to ``ImportContext.existing``."""

    kind: InventoryKind
    items: tuple[Item, ...]
    sensors: Mapping[str, str] = field(default_factory=dict)  # bin id -> sensor id
    retire: tuple[str, ...] = ()  # stored active ids missing from the file (--retire-missing)
    skipped: int = 0  # rows of the other site kind in a depots/disposal file
    ignored_columns: tuple[str, ...] = ()

    def ids(self) -> list[str]:
        return [item_id(i) for i in self.items]


@dataclass(frozen=True)
class Validation:
    """The outcome of validating a whole file: a batch, or every error (then nothing is written)."""

    batch: ImportBatch | None
    errors: tuple[RowError, ...]

    @property
    def ok(self) -> bool:
        return self.batch is not None and not self.errors


def item_id(item: Item) -> str:
    if isinstance(item, Bin):
        return item.bin_id
    if isinstance(item, Vehicle):
        return item.vehicle_id
    return item.site_id


def raw_rows(
    items: Sequence[Item], sensors: Mapping[str, str] | None = None
) -> tuple[list[RawRow], list[str]]:
    """Inventory objects as the rows and columns of a file (feature ``k`` for the ``k``-th),
    so that inventory built in code (the demo's simulated city) is imported like a file."""
    rows = []
    columns: dict[str, None] = {}
    for k, item in enumerate(items):
        values = {f: getattr(item, f) for f in item.__dataclass_fields__}
        if isinstance(item, Vehicle):
            values["kind"] = item.kind.value
        if isinstance(item, Bin) and sensors and item.bin_id in sensors:
            values["sensor_id"] = sensors[item.bin_id]
        columns.update(dict.fromkeys(values))
        rows.append(RawRow(Location(feature=k), values))
    return rows, list(columns)
