"""Hot-path records carried on the three topics, and their JSON wire contract.

Each message is one JSON object with an explicit ``schemaVersion``. Field names follow the FIWARE
smart data models: ``WasteContainer.fillingLevel`` (0-1) and ``temperature``; ``Vehicle.location``
(GeoJSON Point, ``[lon, lat]``), ``speed`` (km/h) and ``heading`` (degrees from north);
``OnStreetParking.availableSpotNumber`` / ``totalSpotNumber``. ``dateObserved`` is ISO 8601 with
a UTC offset. A fill sensor that reports its battery adds ``batteryLevel`` (FIWARE
``Device.batteryLevel``: a fraction, 1 = full, 0 = empty); it is optional, so messages without it
(every message before it existed) stay valid, and it is left off the wire when unknown.

Decoding checks shape, types and physical ranges only (a pure function of the bytes); checks that
need context (known ids, the city's box, the clock) live in :mod:`ingest.validate`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

SCHEMA_VERSION = 1
# The largest count a database ``integer`` column holds; a count above it is rejected here, so a
# hostile number never reaches (and stalls) the batch insert.
MAX_COUNT = 2**31 - 1


class ContractError(ValueError):
    """A message that does not meet its topic's contract; ``reason`` is machine-readable."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class FillReading:
    """One fill-level reading from a bin's ultrasonic sensor."""

    sensor_id: str
    observed_at: datetime
    filling_level: float  # 0 = empty, 1 = full to the brim
    temperature: float | None = None
    battery: float | None = None  # batteryLevel: 0 = empty, 1 = full; None when not reported

    def to_wire(self) -> dict[str, Any]:
        wire = {
            "schemaVersion": SCHEMA_VERSION,
            "sensorId": self.sensor_id,
            "dateObserved": _iso(self.observed_at),
            "fillingLevel": round(self.filling_level, 4),
            "temperature": None if self.temperature is None else round(self.temperature, 2),
        }
        if self.battery is not None:
            wire["batteryLevel"] = round(self.battery, 3)
        return wire


@dataclass(frozen=True, slots=True)
class GpsFix:
    """One GPS fix from a vehicle's tracker."""

    vehicle_id: str
    observed_at: datetime
    lon: float
    lat: float
    speed_kmh: float
    heading_deg: float

    def to_wire(self) -> dict[str, Any]:
        return {
            "schemaVersion": SCHEMA_VERSION,
            "vehicleId": self.vehicle_id,
            "dateObserved": _iso(self.observed_at),
            "location": {
                "type": "Point",
                "coordinates": [round(self.lon, 7), round(self.lat, 7)],
            },
            "speed": round(self.speed_kmh, 2),
            "heading": round(self.heading_deg, 1),
        }


@dataclass(frozen=True, slots=True)
class ParkingObservation:
    """Free spaces counted on one parking site (street segment, zone or car park)."""

    site_id: str
    observed_at: datetime
    free: int  # FIWARE availableSpotNumber
    capacity: int  # FIWARE totalSpotNumber

    def to_wire(self) -> dict[str, Any]:
        return {
            "schemaVersion": SCHEMA_VERSION,
            "siteId": self.site_id,
            "dateObserved": _iso(self.observed_at),
            "availableSpotNumber": self.free,
            "totalSpotNumber": self.capacity,
        }


Record = FillReading | GpsFix | ParkingObservation


def encode(record: Record) -> bytes:
    """The record as compact UTF-8 JSON bytes."""
    return orjson.dumps(record.to_wire())


def _iso(t: datetime) -> str:
    if t.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return t.isoformat()


# --- decoding -----------------------------------------------------------------------------


def _load(raw: bytes) -> dict[str, Any]:
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError as e:
        raise ContractError("bad_json", str(e)[:200]) from e
    if not isinstance(obj, dict):
        raise ContractError("bad_json", "message is not a JSON object")
    version = obj.get("schemaVersion")
    if version != SCHEMA_VERSION:
        raise ContractError("bad_schema_version", f"schemaVersion {version!r}, expected 1")
    return obj


def _field(obj: dict[str, Any], name: str) -> Any:
    try:
        return obj[name]
    except KeyError:
        raise ContractError("missing_field", f"'{name}' is required") from None


def _str_id(obj: dict[str, Any], name: str) -> str:
    value = _field(obj, name)
    if not isinstance(value, str) or not value or len(value) > 64:
        raise ContractError("bad_type", f"'{name}' must be a non-empty string of at most 64 chars")
    if not value.isprintable():
        raise ContractError("bad_type", f"'{name}' must not contain control characters")
    return value


def _number(obj: dict[str, Any], name: str) -> float:
    value = _field(obj, name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ContractError("bad_type", f"'{name}' must be a number, got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value):
        raise ContractError("out_of_range", f"'{name}' must be finite")
    return value


def _count(obj: dict[str, Any], name: str) -> int:
    value = _field(obj, name)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ContractError("bad_type", f"'{name}' must be an integer")
    if not 0 <= value <= MAX_COUNT:
        raise ContractError("out_of_range", f"'{name}' must be in [0, {MAX_COUNT}]")
    return value


def _time(obj: dict[str, Any]) -> datetime:
    value = _field(obj, "dateObserved")
    if not isinstance(value, str):
        raise ContractError("bad_type", "'dateObserved' must be an ISO 8601 string")
    try:
        t = datetime.fromisoformat(value)
    except ValueError as e:
        raise ContractError(
            "bad_timestamp", f"'dateObserved' {value[:40]!r} is not ISO 8601"
        ) from e
    if t.tzinfo is None:
        raise ContractError("bad_timestamp", "'dateObserved' must carry a UTC offset")
    return t


def _in_range(name: str, value: float, lo: float, hi: float) -> float:
    if not lo <= value <= hi:
        raise ContractError("out_of_range", f"'{name}' = {value} outside [{lo}, {hi}]")
    return value


def decode_fill(raw: bytes) -> FillReading:
    """A fill reading from wire bytes, or :class:`ContractError` saying what is wrong."""
    obj = _load(raw)
    temperature = obj.get("temperature")
    if temperature is not None:
        temperature = _in_range("temperature", _number(obj, "temperature"), -60.0, 100.0)
    battery = obj.get("batteryLevel")
    if battery is not None:
        battery = _in_range("batteryLevel", _number(obj, "batteryLevel"), 0.0, 1.0)
    return FillReading(
        sensor_id=_str_id(obj, "sensorId"),
        observed_at=_time(obj),
        filling_level=_in_range("fillingLevel", _number(obj, "fillingLevel"), 0.0, 1.0),
        temperature=temperature,
        battery=battery,
    )


def decode_fix(raw: bytes) -> GpsFix:
    """A GPS fix from wire bytes, or :class:`ContractError` saying what is wrong."""
    obj = _load(raw)
    loc = _field(obj, "location")
    coords = loc.get("coordinates") if isinstance(loc, dict) else None
    if (
        not isinstance(coords, list)
        or len(coords) != 2
        or not all(isinstance(c, int | float) and not isinstance(c, bool) for c in coords)
    ):
        raise ContractError("bad_type", "'location' must be a GeoJSON Point [lon, lat]")
    lon, lat = float(coords[0]), float(coords[1])
    _in_range("lon", lon, -180.0, 180.0)
    _in_range("lat", lat, -90.0, 90.0)
    return GpsFix(
        vehicle_id=_str_id(obj, "vehicleId"),
        observed_at=_time(obj),
        lon=lon,
        lat=lat,
        speed_kmh=_in_range("speed", _number(obj, "speed"), 0.0, 250.0),
        heading_deg=_in_range("heading", _number(obj, "heading"), 0.0, 360.0),
    )


def decode_parking(raw: bytes) -> ParkingObservation:
    """A parking observation from wire bytes, or :class:`ContractError`."""
    obj = _load(raw)
    free = _count(obj, "availableSpotNumber")
    capacity = _count(obj, "totalSpotNumber")
    if capacity == 0:
        raise ContractError("out_of_range", "'totalSpotNumber' must be positive")
    if free > capacity:
        raise ContractError(
            "out_of_range", f"'availableSpotNumber' {free} exceeds 'totalSpotNumber' {capacity}"
        )
    return ParkingObservation(
        site_id=_str_id(obj, "siteId"), observed_at=_time(obj), free=free, capacity=capacity
    )
