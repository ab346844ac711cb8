"""Integration: a message the database refuses never stalls a partition or takes its neighbours
with it.

The case from issue 12: one parking message with counts of 2^40 between valid ones used to pass
validation, fail the batch insert with ``OverflowError: value out of int32 range`` and stop the
consumer for good, replaying the same batch after every restart. Decoding now refuses such counts
(``tests/ingest/test_hostile_corpus.py`` sends that very message); here the bound is lifted so
that the database itself refuses it, next to a row that breaks an operator's CHECK constraint.
"""

from __future__ import annotations

from datetime import timedelta

import orjson
import pytest

from core.records import ParkingObservation, encode
from ingest import kafka_io
from ingest.reconcile import count_dead_letters
from tests.ingest.support import NOW, consume, produce, register, scalar

pytestmark = pytest.mark.integration

HUGE = 2**40


def test_rows_the_database_refuses_are_isolated(endpoints, database, topic_prefix, monkeypatch):
    """Both refused rows are dead-lettered ``db_rejected`` with the database's message; every
    other row of their batch is stored (the batch is split until the bad rows are alone)."""
    monkeypatch.setattr("core.records.MAX_COUNT", 2**62)  # what decoding checked before
    register(database)
    scalar(  # a rule validation does not know: SQLSTATE 23514 from the server
        database,
        "ALTER TABLE parking_observations ADD CONSTRAINT t_free_below_19 CHECK (free < 19)",
    )
    bs = endpoints.kafka_bootstrap_servers
    topic, dlq = f"{topic_prefix}.park", f"{topic_prefix}.dlq"
    kafka_io.ensure_topics(bs, [topic, dlq], 1)
    valid = [
        encode(ParkingObservation("p-0", NOW - timedelta(minutes=5 * i), i % 19, 20))
        for i in range(20)
    ]
    poison = orjson.dumps(
        {
            **orjson.loads(valid[0]),
            "dateObserved": (NOW - timedelta(minutes=1)).isoformat(),
            "availableSpotNumber": HUGE,
            "totalSpotNumber": HUGE,
        }
    )
    breaks_check = encode(ParkingObservation("p-0", NOW - timedelta(minutes=2), 19, 20))
    produce(bs, topic, [*valid[:7], poison, *valid[7:13], breaks_check, *valid[13:]])
    stats = consume("parking", topic, dlq, bs, database, batch_size=500)

    assert scalar(database, "SELECT count(*) FROM parking_observations") == len(valid)
    assert stats.dead_lettered == {"db_rejected": 2}
    dead = count_dead_letters(bs, dlq, expected=2)
    assert dict(dead.by_reason[topic]) == {"db_rejected": 2}
