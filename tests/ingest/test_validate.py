"""Context validation: ids, clock and the city's box."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.records import ContractError, FillReading, GpsFix, ParkingObservation
from ingest.validate import ValidationPolicy, check
from tests.cities import COPENHAGEN_BBOX

NOW = datetime(2026, 11, 27, 8, tzinfo=UTC)
POLICY = ValidationPolicy(COPENHAGEN_BBOX, timedelta(minutes=5), timedelta(days=30))
KNOWN = frozenset({"bin-1", "veh-1", "p-1"})


def _reason(record) -> str | None:
    try:
        check(record, KNOWN, POLICY, NOW)
    except ContractError as e:
        return e.reason
    return None


def test_valid_records_pass():
    """In-range, known, recent records are accepted."""
    assert _reason(FillReading("bin-1", NOW, 0.4)) is None
    assert _reason(GpsFix("veh-1", NOW - timedelta(days=29), 12.57, 55.69, 30, 180)) is None
    assert _reason(ParkingObservation("p-1", NOW, 3, 10)) is None


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        (FillReading("bin-9", NOW, 0.4), "unknown_id"),
        (FillReading("bin-1", NOW + timedelta(minutes=6), 0.4), "future_timestamp"),
        (GpsFix("veh-1", NOW - timedelta(days=31), 12.57, 55.69, 30, 180), "expired_timestamp"),
        (GpsFix("veh-1", NOW, 12.30, 55.69, 30, 180), "outside_city"),
        (GpsFix("veh-1", NOW, 12.57, 55.80, 30, 180), "outside_city"),
    ],
)
def test_rejections(record, reason):
    """Each context violation has its own reason."""
    assert _reason(record) == reason


def test_small_clock_skew_is_tolerated():
    """A device clock a little ahead (within max_future) is not an error."""
    assert _reason(FillReading("bin-1", NOW + timedelta(minutes=4), 0.4)) is None


def test_policy_validates_itself():
    """Nonsense limits are refused at construction."""
    with pytest.raises(ValueError, match="max_age"):
        ValidationPolicy(COPENHAGEN_BBOX, max_age=timedelta(0))
