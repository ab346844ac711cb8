"""Integration: a corpus of malformed and adversarial messages, interleaved with valid ones.

Every valid message is stored once; every hostile one is dead-lettered with a reason; the
consumer never stops. Real broker, real database.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import orjson
import pytest

from core.records import FillReading, GpsFix, ParkingObservation, encode
from ingest import kafka_io
from ingest.reconcile import count_dead_letters
from tests.ingest.support import NOW, consume, produce, register, scalar

pytestmark = pytest.mark.integration

FILL = orjson.loads(encode(FillReading("bin-0", NOW - timedelta(hours=1), 0.4, 9.0)))
GPS = orjson.loads(encode(GpsFix("veh-0", NOW - timedelta(hours=1), 12.56, 55.69, 20.0, 90.0)))
PARK = orjson.loads(encode(ParkingObservation("p-0", NOW - timedelta(hours=1), 3, 20)))


def _j(base: dict[str, object], **change: object) -> bytes:
    return json.dumps({**base, **change}, ensure_ascii=False).encode()


def _deep(levels: int) -> bytes:
    return b"[" * levels + b"]" * levels


# (topic kind, raw value, expected dead-letter reason)
CORPUS: list[tuple[str, bytes | None, str]] = [
    ("fill", None, "bad_json"),  # a tombstone
    ("fill", b"", "bad_json"),
    ("fill", b"\xff\xfe\xfa not utf-8", "bad_json"),
    ("fill", b"[]", "bad_json"),
    ("fill", b"null", "bad_json"),
    ("fill", _deep(100_000), "bad_json"),
    ("fill", b'{"a":' * 5000 + b"1" + b"}" * 5000, "bad_json"),
    (
        "fill",
        _j(FILL, sensorId="bin-404", padding="x" * 1_500_000),
        "unknown_id",
    ),  # huge, and cut in the DLQ
    ("fill", _j(FILL, sensorId="bin-0", fillingLevel="NaN"), "bad_type"),
    ("fill", orjson.dumps(FILL).replace(b":0.4", b":NaN"), "bad_json"),
    ("fill", orjson.dumps(FILL).replace(b":0.4", b":Infinity"), "bad_json"),
    ("fill", _j(FILL, fillingLevel=1e308), "out_of_range"),
    ("fill", orjson.dumps(FILL).replace(b":0.4", b":1e400"), "bad_json"),
    ("fill", _j(FILL, fillingLevel=2**64), "out_of_range"),
    ("fill", _j(FILL, fillingLevel=[0.4]), "bad_type"),
    ("fill", _j(FILL, fillingLevel={"$gt": 0}), "bad_type"),
    ("fill", _j(FILL, sensorId=12), "bad_type"),
    ("fill", _j(FILL, sensorId="bin-0\x00"), "bad_type"),
    ("fill", _j(FILL, sensorId="bin-0\u202e"), "bad_type"),
    ("fill", _j(FILL, sensorId="bin-0\n"), "bad_type"),
    ("fill", _j(FILL, sensorId="x" * 65), "bad_type"),
    ("fill", _j(FILL, sensorId="bin-0'; DROP TABLE bins; --"), "unknown_id"),
    ("fill", _j(FILL, sensorId="bin-0' OR '1'='1"), "unknown_id"),
    ("fill", _j(FILL, sensorId="Ωmega-☃-日本"), "unknown_id"),
    ("fill", _j(FILL, dateObserved="2026-02-30T10:00:00+00:00"), "bad_timestamp"),
    ("fill", _j(FILL, dateObserved="9999-12-31T23:59:59+00:00"), "future_timestamp"),
    ("fill", _j(FILL, dateObserved="0001-01-01T00:00:00+00:00"), "expired_timestamp"),
    ("fill", _j(FILL, schemaVersion="1"), "bad_schema_version"),
    ("fill", _j(FILL, temperature=-1e9), "out_of_range"),
    ("fill", encode(FillReading("bin-0", NOW - timedelta(hours=1), 0.9, 9.0)), "duplicate"),
    ("gps", _j(GPS, location={"type": "Point", "coordinates": [1e308, 55.0]}), "out_of_range"),
    ("gps", _j(GPS, location={"type": "Point", "coordinates": ["12.5", 55.0]}), "bad_type"),
    ("gps", _j(GPS, location={"type": "Point", "coordinates": [12.5, 55.0, 3.0]}), "bad_type"),
    ("gps", _j(GPS, speed=-5), "out_of_range"),
    ("gps", _j(GPS, heading=True), "bad_type"),
    ("gps", _j(GPS, vehicleId="veh-0\r\nX-Injected: 1"), "bad_type"),
    ("gps", _j(GPS, dateObserved=(NOW - timedelta(days=3650)).isoformat()), "expired_timestamp"),
    ("parking", _j(PARK, availableSpotNumber=2**40, totalSpotNumber=2**40), "out_of_range"),
    ("parking", _j(PARK, availableSpotNumber=2**63, totalSpotNumber=2**64), "out_of_range"),
    ("parking", _j(PARK, availableSpotNumber=-1), "out_of_range"),
    ("parking", _j(PARK, availableSpotNumber=3.5), "bad_type"),
    ("parking", _j(PARK, totalSpotNumber=0, availableSpotNumber=0), "out_of_range"),
    ("parking", _j(PARK, siteId=None), "bad_type"),
    ("parking", encode(ParkingObservation("p-0", NOW - timedelta(hours=1), 3, 20)), "duplicate"),
]


def _valid(kind: str) -> list[bytes]:
    """Valid messages of a kind; the first is the original the corpus replays."""
    t0 = NOW - timedelta(hours=1)
    if kind == "fill":
        return [encode(FillReading("bin-0", t0 + timedelta(minutes=i), 0.4, 9.0)) for i in range(8)]
    if kind == "gps":
        return [
            encode(GpsFix("veh-0", t0 + timedelta(seconds=i), 12.56, 55.69, 20.0, 90.0))
            for i in range(8)
        ]
    return [encode(ParkingObservation("p-0", t0 + timedelta(minutes=i), 3, 20)) for i in range(8)]


TABLES = {"fill": "fill_readings", "gps": "gps_fixes", "parking": "parking_observations"}


def _stream(kind: str) -> tuple[list[bytes | None], list[bytes], list[tuple[bytes | None, str]]]:
    """The kind's valid messages with its hostile ones interleaved; the original first, so
    that the corpus's replays are the duplicates."""
    valid = _valid(kind)
    hostile = [(raw, reason) for k, raw, reason in CORPUS if k == kind]
    stream: list[bytes | None] = [valid[0]]
    for i, (raw, _) in enumerate(hostile):
        stream.append(raw)
        if i + 1 < len(valid):
            stream.append(valid[i + 1])
    stream.extend(valid[len(hostile) + 1 :])
    return stream, valid, hostile


def test_hostile_messages_are_dead_lettered_and_valid_ones_stored(
    endpoints, database, topic_prefix
):
    """Valid and hostile messages interleaved on each topic, its consumer running alongside the
    others: counts reconcile exactly and every dead letter has the right reason."""
    register(database)
    bs = endpoints.kafka_bootstrap_servers
    dlq = f"{topic_prefix}.dlq"
    kinds = ["fill", "gps", "parking"]
    topics = {k: f"{topic_prefix}.{k}" for k in kinds}
    kafka_io.ensure_topics(bs, [*topics.values(), dlq], 1)
    streams = {k: _stream(k) for k in kinds}
    for k in kinds:
        produce(bs, topics[k], streams[k][0])
    with ThreadPoolExecutor(len(kinds)) as pool:
        runs = {
            k: pool.submit(consume, k, topics[k], dlq, bs, database, batch_size=7) for k in kinds
        }
        stats = {k: f.result() for k, f in runs.items()}

    n_hostile = sum(len(streams[k][2]) for k in kinds)
    dead = count_dead_letters(bs, dlq, expected=n_hostile)
    for k in kinds:
        stream, valid, hostile = streams[k]
        assert scalar(database, f"SELECT count(*) FROM {TABLES[k]}") == len(valid), k
        assert stats[k].consumed == len(stream), k
        assert stats[k].stored + stats[k].rejected == len(stream), k
        expected: dict[str, int] = {}
        for _, reason in hostile:
            expected[reason] = expected.get(reason, 0) + 1
        assert dict(stats[k].dead_lettered) == expected, k
        assert dict(dead.by_reason[topics[k]]) == expected, k
