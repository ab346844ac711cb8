"""Context checks on decoded records: known ids, the city's box, the clock. Pure."""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.domain import BoundingBox
from core.records import ContractError, FillReading, GpsFix, ParkingObservation, Record


@dataclass(frozen=True, slots=True)
class ValidationPolicy:
    """Limits every record must meet besides its wire contract."""

    bbox: BoundingBox
    max_future: timedelta = timedelta(minutes=5)
    max_age: timedelta = timedelta(days=400)

    def __post_init__(self) -> None:
        if self.max_future < timedelta(0):
            raise ValueError("max_future must not be negative.")
        if self.max_age <= timedelta(0):
            raise ValueError("max_age must be positive.")


def entity_id(record: Record) -> str:
    """The sensor, vehicle or site id a record is about."""
    if isinstance(record, FillReading):
        return record.sensor_id
    if isinstance(record, GpsFix):
        return record.vehicle_id
    return record.site_id


def check(record: Record, known_ids: Set[str], policy: ValidationPolicy, now: datetime) -> None:
    """Raise :class:`ContractError` if ``record`` is not acceptable at time ``now``."""
    rid = entity_id(record)
    if rid not in known_ids:
        raise ContractError("unknown_id", f"id {rid!r} is not registered")
    if record.observed_at > now + policy.max_future:
        raise ContractError(
            "future_timestamp", f"dateObserved {record.observed_at.isoformat()} is in the future"
        )
    if record.observed_at < now - policy.max_age:
        raise ContractError(
            "expired_timestamp",
            f"dateObserved {record.observed_at.isoformat()} is older than the retention window",
        )
    if isinstance(record, GpsFix) and not policy.bbox.contains(record.lon, record.lat):
        raise ContractError(
            "outside_city", f"position ({record.lon:.5f}, {record.lat:.5f}) is outside the city"
        )
    if isinstance(record, ParkingObservation) and record.free > record.capacity:
        raise ContractError("out_of_range", "free exceeds capacity")
