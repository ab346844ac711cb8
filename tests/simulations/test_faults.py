"""Fault injection: each fault is caught by the decoder or validator, rates hold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.records import (
    ContractError,
    FillReading,
    GpsFix,
    ParkingObservation,
    decode_fill,
    decode_fix,
    decode_parking,
)
from ingest.validate import ValidationPolicy, check
from simulations.faults import FAULTS, FaultInjector, corrupt
from tests.cities import COPENHAGEN_BBOX

NOW = datetime(2026, 11, 27, 8, tzinfo=UTC)
RECORDS = [
    (FillReading("bin-1", NOW, 0.5), decode_fill),
    (GpsFix("veh-1", NOW, 12.57, 55.69, 20, 90), decode_fix),
    (ParkingObservation("p-1", NOW, 2, 10), decode_parking),
]


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize(("record", "decode"), RECORDS)
def test_every_fault_is_rejected(record, decode, fault):
    """A corrupted message never passes decoding + validation."""
    with pytest.raises(ContractError):
        r = decode(corrupt(record, fault))
        check(r, {"bin-1", "veh-1", "p-1"}, ValidationPolicy(COPENHAGEN_BBOX), NOW)


def test_rate_is_respected_and_seeded():
    """About `rate` corrupt copies are added, the same ones for the same seed."""
    recs = [FillReading("bin-1", NOW + timedelta(minutes=i), 0.5) for i in range(20000)]
    a = list(FaultInjector(0.01, 3).messages(recs))
    b = list(FaultInjector(0.01, 3).messages(recs))
    bad = sum(not ok for _, _, ok in a)
    assert a == b
    assert sum(ok for _, _, ok in a) == len(recs)
    assert 150 < bad < 250
