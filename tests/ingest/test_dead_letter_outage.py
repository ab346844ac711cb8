"""Integration: while dead letters cannot be delivered, no offset is committed; then it recovers.

The embedded broker creates topics on first use, so "the dead-letter topic is unavailable" is
injected at the client: the consumer's real producer is wrapped so that, for a few seconds,
sends raise (as kafka-python does when the topic's metadata cannot be fetched) or their futures
fail (as when the broker refuses the write). Everything else is the real broker and database.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from kafka.errors import KafkaTimeoutError, NotLeaderForPartitionError
from kafka.future import Future

from core.records import FillReading, encode
from ingest import kafka_io
from ingest.reconcile import count_dead_letters
from tests.ingest.support import NOW, consumer, produce, register, scalar

pytestmark = pytest.mark.integration

OUTAGE_S = 4.0


class FlakyProducer:
    """The consumer's producer, unavailable for ``OUTAGE_S`` from its first send (so the
    outage does not elapse while the consumer is still joining its group)."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.until = float("inf")
        self.refused = 0

    def send(self, topic: str, **kw: Any) -> Any:
        if self.until == float("inf"):
            self.until = time.monotonic() + OUTAGE_S
        if time.monotonic() < self.until:
            self.refused += 1
            if self.refused % 2:  # alternately: no metadata in time, and a refused write
                raise KafkaTimeoutError("Failed to update metadata after 10.0 secs.")
            failed = Future()
            failed.failure(NotLeaderForPartitionError("not leader"))
            return failed
        return self.real.send(topic, **kw)

    def flush(self, timeout: float | None = None) -> None:
        self.real.flush(timeout=timeout)

    def close(self, timeout: float | None = None) -> None:
        self.real.close(timeout=timeout)


def test_offsets_wait_for_dead_letter_acks(endpoints, database, topic_prefix):
    """Dead letters refused for a while: nothing is committed meanwhile, nothing is lost."""
    register(database)
    bs = endpoints.kafka_bootstrap_servers
    topic, dlq = f"{topic_prefix}.fill", f"{topic_prefix}.dlq"
    kafka_io.ensure_topics(bs, [topic, dlq], 1)
    valid = [encode(FillReading("bin-1", NOW - timedelta(minutes=i), 0.3, 9.0)) for i in range(30)]
    bad = [b"{broken", b"[]", encode(FillReading("bin-404", NOW, 0.3, 9.0))]
    produce(bs, topic, [bad[0], *valid[:15], bad[1], *valid[15:], bad[2]])
    commits: list[float] = []
    c = consumer(
        "fill",
        topic,
        dlq,
        bs,
        database,
        batch_size=10,
        on_commit=lambda _: commits.append(time.monotonic()),
    )
    flaky = FlakyProducer(c._dlq)
    c._dlq = flaky
    try:
        stats = c.run(idle_exit_s=4.0)
    finally:
        c.close()
    assert flaky.refused >= 2  # both kinds of failure were met
    assert commits and min(commits) >= flaky.until  # the first batch has a dead letter
    assert scalar(database, "SELECT count(*) FROM fill_readings") == len(valid)
    assert stats.stored == len(valid) and stats.rejected == len(bad)
    dead = count_dead_letters(bs, dlq, expected=len(bad))
    assert dead.by_topic[topic] == len(bad)
