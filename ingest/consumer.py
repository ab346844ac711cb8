"""The ingest loop for one topic: poll → decode → validate → store → dead-letter → commit.

Offsets are committed only after the database transaction and the dead-letter sends are
acknowledged, so a crash anywhere re-delivers the batch; the writer's natural keys and source
offsets make the replay store nothing twice, and dead letters carry their source coordinates so
counting them by (topic, partition, offset) is exact.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import asyncpg

from core.db.ingest_tables import BatchWriter
from core.db.inventory import known_ids
from core.records import ContractError, Record
from ingest import kafka_io
from ingest.topics import TopicKind
from ingest.validate import ValidationPolicy, check

log = logging.getLogger(__name__)
ID_REFRESH_S = 5.0


@dataclass
class IngestStats:
    """What one consumer did."""

    consumed: int = 0
    stored: int = 0
    dead_lettered: Counter[str] = field(default_factory=Counter)
    batches: int = 0

    @property
    def rejected(self) -> int:
        return sum(self.dead_lettered.values())


@dataclass
class _Batch:
    messages: list = field(default_factory=list)  # the consumer records, in order
    rows: list[tuple[object, ...]] = field(default_factory=list)
    row_msg: list[int] = field(default_factory=list)  # row index -> message index
    dead: list[kafka_io.DeadLetter] = field(default_factory=list)


class TopicConsumer:
    """Consumes one topic kind into PostgreSQL; one instance per process."""

    def __init__(self, kind: TopicKind, topic: str, bootstrap: str, dsn: str,
                 dead_letter_topic: str, policy: ValidationPolicy, batch_size: int = 5000,
                 session_timeout_ms: int = 6000,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.kind, self.topic, self.dsn, self.dlq_topic = kind, topic, dsn, dead_letter_topic
        self.policy, self.clock = policy, clock
        self.stats = IngestStats()
        self._loop = asyncio.new_event_loop()
        self._conn: asyncpg.Connection = self._loop.run_until_complete(asyncpg.connect(dsn))
        self._writer = BatchWriter(self._conn, kind.spec)
        self._ids: frozenset[str] = frozenset()
        self._ids_at = 0.0
        self._refresh_ids()
        self._consumer = kafka_io.consumer(bootstrap, topic, kind.group(), session_timeout_ms,
                                           batch_size)
        self._dlq = kafka_io.producer(bootstrap, linger_ms=5)

    def _refresh_ids(self) -> None:
        self._ids = self._loop.run_until_complete(known_ids(self._conn, self.kind.name))
        self._ids_at = time.monotonic()

    def _validate(self, batch: _Batch) -> None:
        now = self.clock()
        decode, spec = self.kind.decode, self.kind.spec
        unknown: list[tuple[int, Record]] = []
        for i, m in enumerate(batch.messages):
            try:
                record = decode(m.value)
            except ContractError as e:
                batch.dead.append(self._dead(m, e.reason, e.detail))
                continue
            try:
                check(record, self._ids, self.policy, now)
            except ContractError as e:
                if e.reason == "unknown_id":
                    unknown.append((i, record))
                else:
                    batch.dead.append(self._dead(m, e.reason, e.detail))
                continue
            batch.rows.append(spec.row(record, m.partition, m.offset))
            batch.row_msg.append(i)
        if unknown and time.monotonic() - self._ids_at > ID_REFRESH_S:
            self._refresh_ids()  # a bin or vehicle may have been registered since
        for i, record in unknown:
            m = batch.messages[i]
            try:
                check(record, self._ids, self.policy, now)
            except ContractError as e:
                batch.dead.append(self._dead(m, e.reason, e.detail))
                continue
            batch.rows.append(spec.row(record, m.partition, m.offset))
            batch.row_msg.append(i)

    def _dead(self, m, reason: str, detail: str) -> kafka_io.DeadLetter:  # type: ignore[no-untyped-def]
        return kafka_io.DeadLetter(m.topic, m.partition, m.offset, m.key, m.value, reason, detail)

    def process(self, messages: list) -> None:  # type: ignore[type-arg]
        """Handle one polled batch end to end, committing its offsets last."""
        batch = _Batch(messages=messages)
        self._validate(batch)
        result = self._loop.run_until_complete(self._writer.write(batch.rows))
        for j in result.duplicates:
            m = batch.messages[batch.row_msg[j]]
            batch.dead.append(self._dead(m, "duplicate", "natural key already stored"))
        for d in batch.dead:
            log.warning("dead-letter %s[%d]@%d: %s (%s)", d.topic, d.partition, d.offset,
                        d.reason, d.detail)
            self._dlq.send(self.dlq_topic, key=d.key, value=d.value, headers=d.headers())
        if batch.dead:
            self._dlq.flush()
        self._consumer.commit()
        self.stats.consumed += len(messages)
        self.stats.stored += len(result.stored)
        self.stats.dead_lettered.update(d.reason for d in batch.dead)
        self.stats.batches += 1

    def run(self, should_stop: Callable[[], bool] = lambda: False,
            idle_exit_s: float | None = None) -> IngestStats:
        """Consume until ``should_stop()`` or, if given, ``idle_exit_s`` without messages."""
        last_msg = time.monotonic()
        assigned = False
        while not should_stop():
            polled = self._consumer.poll(timeout_ms=500)
            if not assigned and self._consumer.assignment():
                assigned = True  # idle time counts from joining the group (joins can be slow)
                last_msg = time.monotonic()
            if not polled:
                idle = time.monotonic() - last_msg
                if idle_exit_s is not None and (assigned or idle > 60) and idle > idle_exit_s:
                    break
                continue
            last_msg = time.monotonic()
            messages = [m for tp in sorted(polled, key=lambda t: t.partition) for m in polled[tp]]
            self.process(messages)
        return self.stats

    def close(self) -> None:
        self._consumer.close()
        self._dlq.close()
        self._loop.run_until_complete(self._conn.close())
        self._loop.close()
