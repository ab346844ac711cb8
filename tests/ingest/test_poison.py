"""Integration: a poison message never stalls a partition or takes its neighbours with it.

The case from issue 12: one parking message with counts of 2^40 between valid ones used to pass
validation, fail the batch insert with ``OverflowError: value out of int32 range`` and stop the
consumer for good, replaying the same batch after every restart.
"""

from __future__ import annotations

import orjson
import pytest

from core.records import ParkingObservation, encode
from ingest import kafka_io
from ingest.reconcile import count_dead_letters
from tests.ingest.support import NOW, consume, produce, register, scalar

pytestmark = pytest.mark.integration

HUGE = 2**40


def _batch() -> list[bytes]:
    """Ten valid observations of p-0 with the poison message in the middle."""
    from datetime import timedelta

    valid = [
        encode(ParkingObservation("p-0", NOW - timedelta(minutes=5 * i), i, 20)) for i in range(10)
    ]
    poison = orjson.dumps(
        {
            **orjson.loads(valid[0]),
            "dateObserved": (NOW - timedelta(minutes=1)).isoformat(),
            "availableSpotNumber": HUGE,
            "totalSpotNumber": HUGE,
        }
    )
    return [*valid[:5], poison, *valid[5:]]


def _run(endpoints, database, topic_prefix) -> tuple[str, str]:
    register(database)
    bs = endpoints.kafka_bootstrap_servers
    topic, dlq = f"{topic_prefix}.park", f"{topic_prefix}.dlq"
    kafka_io.ensure_topics(bs, [topic, dlq], 1)
    produce(bs, topic, _batch())
    consume("parking", topic, dlq, bs, database)
    return topic, dlq


def test_huge_counts_are_dead_lettered_and_the_neighbours_stored(endpoints, database, topic_prefix):
    """The 2^40 message is refused at validation; the ten valid ones are stored."""
    topic, dlq = _run(endpoints, database, topic_prefix)
    assert scalar(database, "SELECT count(*) FROM parking_observations") == 10
    dead = count_dead_letters(endpoints.kafka_bootstrap_servers, dlq, expected=1)
    assert dict(dead.by_reason[topic]) == {"out_of_range": 1}


def test_a_row_the_database_refuses_is_isolated(endpoints, database, topic_prefix, monkeypatch):
    """With the validation bound lifted, the database refuses the row: ``db_rejected``, and the
    rest of its batch is stored (the batch is split until the bad row is alone)."""
    monkeypatch.setattr("core.records.MAX_COUNT", 2**62)
    topic, dlq = _run(endpoints, database, topic_prefix)
    assert scalar(database, "SELECT count(*) FROM parking_observations") == 10
    dead = count_dead_letters(endpoints.kafka_bootstrap_servers, dlq, expected=1)
    assert dict(dead.by_reason[topic]) == {"db_rejected": 1}


def test_a_database_rule_validation_does_not_know_is_isolated(endpoints, database, topic_prefix):
    """A CHECK constraint added by an operator rejects one row server-side (SQLSTATE 23514);
    that row is dead-lettered with the database's message and the others are stored."""
    register(database)
    scalar(
        database,
        "ALTER TABLE parking_observations ADD CONSTRAINT t_free_below_19 CHECK (free < 19)",
    )
    from datetime import timedelta

    bs = endpoints.kafka_bootstrap_servers
    topic, dlq = f"{topic_prefix}.park", f"{topic_prefix}.dlq"
    kafka_io.ensure_topics(bs, [topic, dlq], 1)
    obs = [ParkingObservation("p-0", NOW - timedelta(minutes=i), i, 20) for i in range(20)]
    produce(bs, topic, [encode(o) for o in obs])
    stats = consume("parking", topic, dlq, bs, database, batch_size=500)
    assert scalar(database, "SELECT count(*) FROM parking_observations") == 19
    assert stats.dead_lettered == {"db_rejected": 1}
    dead = count_dead_letters(bs, dlq, expected=1)
    assert dict(dead.by_reason[topic]) == {"db_rejected": 1}
