"""Integration: real broker + real database; every message stored once or dead-lettered."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest

from core.records import FillReading, GpsFix, ParkingObservation, encode
from ingest import kafka_io
from ingest.reconcile import count_dead_letters
from tests.ingest.support import NOW, consume, register, scalar

pytestmark = pytest.mark.integration


def test_fill_topic_valid_stored_once_malformed_dead_lettered(endpoints, database, topic_prefix):
    """N valid + M malformed fill readings → N rows, M dead letters with the right reasons."""
    register(database, parking=2)
    topic, dlq = f"{topic_prefix}.fill", f"{topic_prefix}.dlq"
    kafka_io.ensure_topics(endpoints.kafka_bootstrap_servers, [topic, dlq], 3)
    valid = [
        FillReading(f"bin-{i % 5}", NOW - timedelta(minutes=10 * i), (i % 10) / 10, 8.5)
        for i in range(40)
    ]
    good = json.loads(encode(valid[0]))
    malformed: list[tuple[bytes, str]] = [
        (b"{not json", "bad_json"),
        (
            json.dumps({k: v for k, v in good.items() if k != "fillingLevel"}).encode(),
            "missing_field",
        ),
        (json.dumps({**good, "fillingLevel": -0.1}).encode(), "out_of_range"),
        (json.dumps({**good, "fillingLevel": 2.5}).encode(), "out_of_range"),
        (json.dumps({**good, "sensorId": "bin-999"}).encode(), "unknown_id"),
        (
            json.dumps({**good, "dateObserved": (NOW + timedelta(days=3)).isoformat()}).encode(),
            "future_timestamp",
        ),
        (encode(valid[3]), "duplicate"),
        (encode(replace(valid[7], filling_level=0.99)), "duplicate"),
        (json.dumps({**good, "schemaVersion": 7}).encode(), "bad_schema_version"),
    ]
    p = kafka_io.producer(endpoints.kafka_bootstrap_servers)
    for r in valid:
        p.send(topic, key=r.sensor_id.encode(), value=encode(r))
    p.flush()  # originals first, so the copies below are the duplicates
    for raw, _ in malformed:
        p.send(topic, key=b"bin-0", value=raw)
    p.flush()
    p.close()

    consume("fill", topic, dlq, endpoints.kafka_bootstrap_servers, database)

    assert scalar(database, "SELECT count(*) FROM fill_readings") == len(valid)
    assert scalar(database, "SELECT count(*) FROM bin_state") == 5
    dead = count_dead_letters(endpoints.kafka_bootstrap_servers, dlq, expected=len(malformed))
    assert dead.by_topic[topic] == len(malformed)
    expected_reasons: dict[str, int] = {}
    for _, reason in malformed:
        expected_reasons[reason] = expected_reasons.get(reason, 0) + 1
    assert dict(dead.by_reason[topic]) == expected_reasons


def test_gps_and_parking_topics_reconcile(endpoints, database, topic_prefix):
    """GPS fixes outside the city and parking counts above capacity are dead-lettered."""
    register(database, parking=2)
    bs = endpoints.kafka_bootstrap_servers
    gps_t, park_t, dlq = f"{topic_prefix}.gps", f"{topic_prefix}.park", f"{topic_prefix}.dlq"
    kafka_io.ensure_topics(bs, [gps_t, park_t, dlq], 3)
    fixes = [
        GpsFix(f"veh-{i % 3}", NOW - timedelta(seconds=5 * i), 12.56, 55.69, 30.0, 90.0)
        for i in range(60)
    ]
    outside = GpsFix("veh-0", NOW - timedelta(hours=2), 10.0, 56.0, 30.0, 90.0)
    obs = [ParkingObservation("p-1", NOW - timedelta(minutes=5 * i), i % 20, 20) for i in range(12)]
    bad_park = json.dumps(
        {**json.loads(encode(obs[0])), "availableSpotNumber": 25, "dateObserved": NOW.isoformat()}
    ).encode()
    p = kafka_io.producer(bs)
    for f in fixes:
        p.send(gps_t, key=f.vehicle_id.encode(), value=encode(f))
    p.send(gps_t, value=encode(outside))
    for o in obs:
        p.send(park_t, value=encode(o))
    p.send(park_t, value=bad_park)
    p.flush()
    p.close()
    consume("gps", gps_t, dlq, bs, database)
    consume("parking", park_t, dlq, bs, database)
    assert scalar(database, "SELECT count(*) FROM gps_fixes") == 60
    assert scalar(database, "SELECT count(*) FROM vehicle_state") == 3
    assert scalar(database, "SELECT count(*) FROM parking_observations") == 12
    dead = count_dead_letters(bs, dlq, expected=2)
    assert dict(dead.by_reason[gps_t]) == {"outside_city": 1}
    assert dict(dead.by_reason[park_t]) == {"out_of_range": 1}
