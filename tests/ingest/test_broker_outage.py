"""Integration: a poll that fails while the broker restarts backs off; the consumer goes on.

kafka-python's ``poll`` raises retriable errors (no connection, a request timed out) when the
broker goes away at an awkward moment, e.g. while committed offsets are being fetched. The
consumer's real client is wrapped so that a few polls after the first batch raise such errors;
everything else is the real broker and database.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from kafka.errors import IllegalStateError, KafkaConnectionError, KafkaTimeoutError

from core.records import FillReading, encode
from ingest import kafka_io
from tests.ingest.support import NOW, consumer, produce, register, scalar

pytestmark = pytest.mark.integration


class FlakyPolls:
    """The consumer's Kafka client; after the first batch, the next ``fails`` polls raise."""

    def __init__(self, real: Any, errors: list[Exception]) -> None:
        self.real, self.errors = real, errors
        self.batches = 0
        self.raised = 0

    def poll(self, **kw: Any) -> Any:
        if self.batches and self.errors:
            self.raised += 1
            raise self.errors.pop(0)
        polled = self.real.poll(**kw)
        self.batches += bool(polled)
        return polled

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def _readings(n: int) -> list[bytes]:
    return [encode(FillReading("bin-1", NOW - timedelta(minutes=i), 0.3, 9.0)) for i in range(n)]


def test_retriable_poll_errors_do_not_end_the_consumer(endpoints, database, topic_prefix):
    register(database)
    bs = endpoints.kafka_bootstrap_servers
    topic, dlq = f"{topic_prefix}.fill", f"{topic_prefix}.dlq"
    kafka_io.ensure_topics(bs, [topic, dlq], 1)
    values = _readings(40)
    produce(bs, topic, values)
    c = consumer("fill", topic, dlq, bs, database, batch_size=10)
    flaky = FlakyPolls(c._consumer, [KafkaConnectionError("gone"), KafkaTimeoutError("slow")])
    c._consumer = flaky
    try:
        stats = c.run(idle_exit_s=4.0)
    finally:
        c.close()
    assert flaky.raised == 2
    assert stats.stored == len(values)
    assert scalar(database, "SELECT count(*) FROM fill_readings") == len(values)


def test_a_non_retriable_poll_error_still_ends_the_consumer(endpoints, database, topic_prefix):
    register(database)
    bs = endpoints.kafka_bootstrap_servers
    topic, dlq = f"{topic_prefix}.fill", f"{topic_prefix}.dlq"
    kafka_io.ensure_topics(bs, [topic, dlq], 1)
    produce(bs, topic, _readings(20))
    c = consumer("fill", topic, dlq, bs, database, batch_size=10)
    c._consumer = FlakyPolls(c._consumer, [IllegalStateError("consumer closed")])
    try:
        with pytest.raises(IllegalStateError):
            c.run(idle_exit_s=4.0)
    finally:
        c.close()
