"""Validating a whole inventory file before anything is written (pure: no I/O).

:func:`validate` checks every row against the city (its boundary: the union of its districts
inside its bounding box; CO2 defaults) and what the database holds (:class:`ImportContext`),
and returns either an :class:`ImportBatch` of typed items or the :class:`RowError` of every bad
row: missing or duplicate ids, unreadable or out-of-range numbers, positions outside the city,
unknown depots, a sensor on two bins, depots still in use that would be retired.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from admin.fields import Fields
from admin.records import (
    FILE,
    HEADER,
    OPTIONAL,
    REQUIRED,
    ImportBatch,
    ImportContext,
    InventoryKind,
    Item,
    Location,
    RawRow,
    RowError,
    Validation,
    item_id,
)
from core.districts import OUTSIDE
from core.domain import Bin, ParkingSite, Site, Vehicle, VehicleKind

PARKING_KINDS = ("street", "carpark")
_SITE_KINDS = {
    "depot": "depot",
    "depots": "depot",
    "disposal": "disposal",
    "disposal-site": "disposal",
    "disposal_site": "disposal",
}


class _Skip(Exception):
    """A row of the other kind of site, left for the import of that kind."""


@dataclass(frozen=True)
class _Parsed:
    """A row that parsed: where it is, its item and, for a bin, its sensor."""

    where: Location
    item: Item
    sensor_id: str = ""


def vehicle_kind(s: str) -> VehicleKind | None:
    """A vehicle kind by value (``garbageCollection``) or name (``waste_truck``), any case."""
    key = s.strip().lower().replace("-", "_")
    for k in VehicleKind:
        if key in (k.value.lower(), k.name.lower()):
            return k
    return None


def _position(f: Fields) -> tuple[float, float] | None:
    if f.raw.geometry_error:
        f.error(f.raw.geometry_error)
        return None
    lon = f.number("lon", None, lambda x: -180 <= x <= 180, "is not a longitude")
    lat = f.number("lat", None, lambda x: -90 <= x <= 90, "is not a latitude")
    return None if lon is None or lat is None else (lon, lat)


def _bin(f: Fields, at: tuple[float, float] | None) -> tuple[Item, str] | None:
    cap = f.number("capacity_l", None, lambda x: x > 0, "must be positive")
    threshold = f.number(
        "threshold", 0.8, lambda x: 0 < x <= 1, "must be a fill fraction in (0, 1], e.g. 0.8"
    )
    service = f.number("service_s", 60.0, lambda x: x >= 0, "must not be negative")
    if at is None or cap is None or threshold is None or service is None:
        return None
    street, district = f.text("street"), f.text("district")
    item = Bin(f.item_id, at[0], at[1], street, district, cap, threshold, service)
    return item, f.text("sensor_id") or f.item_id


def _vehicle(f: Fields, ctx: ImportContext) -> Item | None:
    raw_kind = f.text("kind")
    kind = vehicle_kind(raw_kind)
    if kind is None:
        names = ", ".join(f"{k.value} ({k.name.lower()})" for k in VehicleKind)
        f.error(f"kind {raw_kind!r} is not one of {names}" if raw_kind else "kind is missing")
    depot = f.text("depot_id")
    if not depot:
        f.error("depot_id is missing")
    elif depot not in ctx.depots:
        f.error(
            f"unknown depot {depot!r}: not an active depot in the database (import depots first)"
        )
    cap_l = f.number("capacity_l", 0.0, lambda x: x >= 0, "must not be negative")
    if kind is VehicleKind.WASTE_TRUCK and cap_l is not None and cap_l <= 0:
        f.error("capacity_l must be positive for a waste truck (routing loads it)")
    cap_kg = f.number("capacity_kg", 0.0, lambda x: x >= 0, "must not be negative")
    start = f.number("shift_start_h", None, lambda x: 0 <= x < 24, "must be an hour in [0, 24)")
    end = f.number("shift_end_h", None, lambda x: 0 < x <= 48, "must be an hour in (0, 48]")
    if start is not None and end is not None and not start < end <= start + 24:
        f.error(
            f"the shift must end after it starts, within 24 h (got {start:g} to {end:g}; a night"
            " shift ends past 24, e.g. 22 to 30)"
        )
    co2 = f.number(
        "co2_g_per_km",
        ctx.co2_g_per_km.get(kind, 0.0) if kind is not None else 0.0,
        lambda x: x >= 0,
        "must not be negative",
    )
    if f.errors or kind is None or None in (cap_l, cap_kg, start, end, co2):
        return None
    return Vehicle(f.item_id, kind, depot, cap_l, cap_kg, start, end, co2)  # type: ignore[arg-type]


def _parking(f: Fields, at: tuple[float, float] | None) -> Item | None:
    kind = f.text("kind").lower() or "street"
    if kind not in PARKING_KINDS:
        f.error(f"kind {kind!r} is not one of {', '.join(PARKING_KINDS)}")
    cap = f.number(
        "capacity",
        None,
        lambda x: 0 < x <= 1_000_000 and x.is_integer(),
        "must be a whole number of spaces, 1 to 1,000,000",
    )
    if f.errors or at is None or cap is None:
        return None
    street = f.text("street")
    name = f.text("name") or street or f.item_id
    return ParkingSite(f.item_id, name, kind, int(cap), at[0], at[1], street, f.text("district"))


def _site(f: Fields, at: tuple[float, float] | None, role: str, ctx: ImportContext) -> Item | None:
    given = f.text("kind").lower()
    if given and given not in _SITE_KINDS:
        f.error(f"kind {given!r} is neither depot nor disposal")
        return None
    if given and _SITE_KINDS[given] != role:
        raise _Skip
    stored = ctx.site_roles.get(f.item_id, role)
    if f.item_id and stored != role:
        f.error(
            f"site id {f.item_id} is already a {stored} site (depots and disposal sites share"
            " one set of ids)"
        )
    if f.errors or at is None:
        return None
    return Site(f.item_id, f.text("name") or f.item_id, at[0], at[1])


def _parse(kind: InventoryKind, f: Fields, ctx: ImportContext) -> tuple[Item, str] | None:
    """The row's item (and a bin's sensor id), or None after recording its errors."""
    at = _position(f) if kind.located else None
    if kind is InventoryKind.BINS:
        return _bin(f, at)
    if kind is InventoryKind.VEHICLES:
        item = _vehicle(f, ctx)
    elif kind is InventoryKind.PARKING_SITES:
        item = _parking(f, at)
    else:
        item = _site(f, at, kind.site_role, ctx)
    return None if item is None else (item, "")


def _header(kind: InventoryKind, columns: Sequence[str]) -> tuple[list[RowError], tuple[str, ...]]:
    have = set(columns)
    missing = [c for c in REQUIRED[kind] if c not in have and c not in ("lon", "lat")]
    if kind.located and ("lon" not in have or "lat" not in have):
        missing.append("lon and lat (or Point geometries)")
    errors = [RowError(HEADER, f"missing column {c}") for c in missing]
    known = {*REQUIRED[kind], *OPTIONAL[kind]}
    return errors, tuple(c for c in columns if c not in known)


def validate(
    kind: InventoryKind,
    rows: Sequence[RawRow],
    columns: Sequence[str],
    ctx: ImportContext,
    retire_missing: bool = False,
) -> Validation:
    """Validate every row of one file; nothing may be written unless ``errors`` is empty."""
    errors, ignored = _header(kind, columns)
    if errors:
        return Validation(None, tuple(errors))
    if not rows:
        return Validation(None, (RowError(FILE, "the file has no rows"),))
    parsed: list[_Parsed] = []
    first: dict[str, Location] = {}
    skipped = 0
    for raw in rows:
        f = Fields(raw)
        f.item_id = f.text(kind.id_column)
        if not f.item_id:
            f.error(f"{kind.id_column} is missing")
        elif len(f.item_id) > 128 or not f.item_id.isprintable():
            f.error(f"{kind.id_column} must be printable and at most 128 characters")
        try:
            got = _parse(kind, f, ctx)
        except _Skip:
            skipped += 1
            continue
        except ValueError as e:  # a rule of the domain type that the checks above missed
            f.error(str(e))
            got = None
        if f.item_id in first:
            f.error(f"duplicate {kind.id_column} {f.item_id} (first on {first[f.item_id]})")
        elif f.item_id:
            first[f.item_id] = raw.where
        errors += f.errors
        if got is not None and not f.errors:
            parsed.append(_Parsed(raw.where, *got))
    if kind.located and parsed:
        parsed, outside = _place(kind, parsed, ctx)
        errors += outside
    if kind is InventoryKind.BINS:
        errors += _sensor_clashes(parsed)
    retire: tuple[str, ...] = ()
    if retire_missing:
        retire = tuple(sorted(i for i, gone in ctx.existing.items() if not gone and i not in first))
        errors += _depots_in_use(kind, retire, ctx)
    if not parsed and not errors:
        errors.append(RowError(FILE, f"no row of kind {kind.site_role or kind.value}"))
    if errors:
        return Validation(None, tuple(sorted(errors, key=_order)))
    items = tuple(p.item for p in parsed)
    sensors = {p.item.bin_id: p.sensor_id for p in parsed if isinstance(p.item, Bin)}
    return Validation(ImportBatch(kind, items, sensors, retire, skipped, ignored), ())


def _order(e: RowError) -> tuple[int, int]:
    w = e.where
    return (-1 if w.line is None else w.line, -1 if w.feature is None else w.feature)


def outside_city(
    ctx: ImportContext,
    lon: npt.NDArray[np.float64],
    lat: npt.NDArray[np.float64],
    use_districts: bool,
) -> npt.NDArray[np.bool_]:
    """Points outside the city's bounding box, or (``use_districts``) in none of its districts."""
    b = ctx.bbox
    inside = (lon >= b.min_lon) & (lon <= b.max_lon) & (lat >= b.min_lat) & (lat <= b.max_lat)
    if use_districts and len(ctx.districts):
        inside &= ctx.districts.assign(lon, lat) != OUTSIDE
    return ~inside


def _place(
    kind: InventoryKind, parsed: list[_Parsed], ctx: ImportContext
) -> tuple[list[_Parsed], list[RowError]]:
    """Errors for positions outside the city; bins' and parking sites' empty districts filled
    from the city's polygons. Depots and disposal sites need only lie in the bounding box (a
    regional plant may stand outside the city's districts)."""
    located = [p.item for p in parsed if not isinstance(p.item, Vehicle)]
    lon = np.array([i.lon for i in located], dtype=np.float64)
    lat = np.array([i.lat for i in located], dtype=np.float64)
    districts = kind in (InventoryKind.BINS, InventoryKind.PARKING_SITES)
    outside = outside_city(ctx, lon, lat, districts)
    area = "districts" if districts and len(ctx.districts) else "bounding box"
    errors = [
        RowError(
            p.where,
            f"position ({x:.6f}, {y:.6f}) (lon, lat) is outside {ctx.city}'s {area}",
            item_id(p.item),
        )
        for p, x, y, out in zip(parsed, lon, lat, outside, strict=True)
        if out
    ]
    if districts:
        names = ctx.districts.assign(lon, lat)
        parsed = [
            replace(p, item=replace(p.item, district=str(n)))
            if isinstance(p.item, Bin | ParkingSite) and not p.item.district
            else p
            for p, n in zip(parsed, names, strict=True)
        ]
    return parsed, errors


def _sensor_clashes(parsed: list[_Parsed]) -> list[RowError]:
    """A sensor is mounted on one bin at a time."""
    on: dict[str, _Parsed] = {}
    errors = []
    for p in parsed:
        if p.sensor_id in on:
            other = on[p.sensor_id]
            reason = (
                f"sensor {p.sensor_id} is already on bin {item_id(other.item)} ({other.where}):"
                " a sensor belongs to one bin"
            )
            errors.append(RowError(p.where, reason, item_id(p.item)))
        else:
            on[p.sensor_id] = p
    return errors


def _depots_in_use(
    kind: InventoryKind, retire: tuple[str, ...], ctx: ImportContext
) -> list[RowError]:
    """Depots missing from a --retire-missing file that active vehicles still start from."""
    if kind is not InventoryKind.DEPOTS:
        return []
    return [
        RowError(
            FILE,
            f"depot {d} is missing from the file but is still the depot of vehicles"
            f" {', '.join(ctx.depot_vehicles[d][:5])}: move them to another depot first",
            d,
        )
        for d in retire
        if ctx.depot_vehicles.get(d)
    ]
