"""Realistic faulty messages mixed into simulated streams (pure, seeded).

Field sensors do send garbage: truncated frames, readings outside the physical range, ids of
devices not (yet) registered, clocks far ahead. The demo injects a small share of these so the
dead-letter path runs every day, and the reconciliation has something to reconcile.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import timedelta

import numpy as np
import orjson

from core.records import FillReading, GpsFix, ParkingObservation, Record, encode

FAULTS = ("truncated", "out_of_range", "unknown_id", "future_timestamp")


def corrupt(record: Record, fault: str) -> bytes:
    """The wire bytes of ``record`` spoiled by ``fault``."""
    wire = record.to_wire()
    if fault == "truncated":
        return encode(record)[: len(encode(record)) // 2]
    if fault == "future_timestamp":
        wire["dateObserved"] = (record.observed_at + timedelta(days=30)).isoformat()
    elif fault == "unknown_id":
        key = {FillReading: "sensorId", GpsFix: "vehicleId", ParkingObservation: "siteId"}
        wire[key[type(record)]] = "unregistered-" + str(abs(hash(record)) % 1000)
    elif fault == "out_of_range":
        if isinstance(record, FillReading):
            wire["fillingLevel"] = 2.5
        elif isinstance(record, GpsFix):
            wire["speed"] = -12.0
        else:
            wire["availableSpotNumber"] = record.capacity + 3
    else:
        raise ValueError(f"unknown fault {fault!r}; expected one of {FAULTS}")
    return orjson.dumps(wire)


class FaultInjector:
    """Yields (key, value, is_valid) per message: each record, and after a ``rate`` share of them
    a corrupt copy. One injector per stream, so its random sequence runs across batches."""

    def __init__(self, rate: float, seed: int) -> None:
        if not 0 <= rate < 1:
            raise ValueError("rate must be in [0, 1).")
        self.rate = rate
        self._rng = np.random.default_rng(seed)

    def messages(self, records: Iterable[Record]) -> Iterator[tuple[str, bytes, bool]]:
        rng, rate = self._rng, self.rate
        for record in records:
            key = _key(record)
            yield key, encode(record), True
            if rate and rng.random() < rate:
                yield key, corrupt(record, FAULTS[int(rng.integers(len(FAULTS)))]), False


def _key(record: Record) -> str:
    if isinstance(record, FillReading):
        return record.sensor_id
    if isinstance(record, GpsFix):
        return record.vehicle_id
    return record.site_id
