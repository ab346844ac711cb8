"""The ingest loop for one topic: poll → decode → validate → store → dead-letter → commit.

Offsets are committed only after the database transaction and every dead-letter send are
acknowledged, so a crash anywhere re-delivers the batch; the writer's natural keys and source
offsets make the replay store nothing twice, and dead letters carry their source coordinates so
counting them by (topic, partition, offset) is exact.

Nothing stalls a partition: a batch the database rejects is split until the offending rows are
isolated and dead-lettered as ``db_rejected`` (:mod:`ingest.resilience`); while the database or
the broker is unreachable the consumer backs off with a bounded delay, says so in its log, and
commits nothing, then carries on where it was.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import asyncpg
from kafka.errors import CommitFailedError, KafkaError
from kafka.structs import OffsetAndMetadata, TopicPartition

from core import metrics
from core.db.ingest_tables import BatchWriter
from core.db.inventory import known_ids
from core.records import ContractError, Record
from ingest import kafka_io
from ingest.resilience import Backoff, Isolated, is_unreachable, write_isolating
from ingest.topics import TopicKind
from ingest.validate import ValidationPolicy, check

log = logging.getLogger(__name__)
ID_REFRESH_S = 5.0
# A dead letter keeps the original bytes up to this size (the broker's default message limit is
# 1 MB); a longer value is cut and the header dlq.value.bytes says how long it was.
DLQ_MAX_VALUE = 900_000


class StopRequested(Exception):
    """Raised inside a retry loop when the process was asked to stop; nothing is committed."""


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
    messages: list[Any] = field(default_factory=list)  # the consumer records, in order
    started: float = field(default_factory=time.monotonic)
    rows: list[tuple[object, ...]] = field(default_factory=list)
    row_msg: list[int] = field(default_factory=list)  # row index -> message index
    dead: list[kafka_io.DeadLetter] = field(default_factory=list)


class TopicConsumer:
    """Consumes one topic kind into PostgreSQL; one instance per process.

    Database writes run on an event loop in a background thread, so the next batch is fetched
    and validated while the previous one is being written (offsets still commit strictly after
    their batch's database commit).
    """

    def __init__(
        self,
        kind: TopicKind,
        topic: str,
        bootstrap: str,
        dsn: str,
        dead_letter_topic: str,
        policy: ValidationPolicy,
        batch_size: int = 5000,
        session_timeout_ms: int = 6000,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        on_commit: Callable[[list[Any]], None] | None = None,
        backoff: Backoff | None = None,
        should_stop: Callable[[], bool] = lambda: False,
    ) -> None:
        self.kind, self.topic, self.dsn, self.dlq_topic = kind, topic, dsn, dead_letter_topic
        self.policy, self.clock, self.on_commit = policy, clock, on_commit
        self.stats = IngestStats()
        self.backoff = backoff or Backoff()
        self._should_stop = should_stop  # checked while waiting for a dependency
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="db-writer", daemon=True
        )
        self._thread.start()
        self._conn: asyncpg.Connection | None = None
        self._ids_conn: asyncpg.Connection | None = None
        self._writer: BatchWriter | None = None
        self._ids: frozenset[str] = frozenset()
        self._ids_at = 0.0
        self._refresh_ids()  # connects (waiting while the database is unreachable)
        self._consumer = self._retry_kafka(
            "Kafka broker",
            lambda: kafka_io.consumer(
                bootstrap, topic, kind.group(), session_timeout_ms, batch_size
            ),
        )
        self._dlq = self._retry_kafka(
            "Kafka broker",
            lambda: kafka_io.producer(bootstrap, linger_ms=5, max_block_ms=10_000),
        )

    # --- plumbing -------------------------------------------------------------------------

    def _call(self, coro: Any) -> Any:
        return self._submit(coro).result()

    def _submit(self, coro: Any) -> Future[Any]:
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    def _check_stop(self) -> None:
        if self._should_stop():
            raise StopRequested

    def _retry_kafka(self, what: str, make: Callable[[], Any]) -> Any:
        while True:
            try:
                client = make()
            except KafkaError as e:
                self._check_stop()
                self.backoff.wait(what, e)
                continue
            self.backoff.reset()
            return client

    async def _disconnect(self) -> None:
        for conn in (self._conn, self._ids_conn):
            if conn is not None and not conn.is_closed():
                conn.terminate()
        self._conn = self._ids_conn = self._writer = None

    async def _connect(self) -> None:
        await self._disconnect()
        conn = await asyncpg.connect(self.dsn, timeout=10)
        try:
            ids_conn = await asyncpg.connect(self.dsn, timeout=10)
        except BaseException:
            conn.terminate()
            raise
        self._conn, self._ids_conn = conn, ids_conn
        self._writer = BatchWriter(conn, self.kind.spec)

    def _wait_for_db(self, e: BaseException) -> None:
        """Back off after ``e`` (the database unreachable) and reconnect; loops until it works."""
        while True:
            self._check_stop()
            self.backoff.wait("PostgreSQL", e)
            try:
                self._call(self._connect())
                return
            except Exception as again:
                if not is_unreachable(again):
                    raise
                e = again

    def _refresh_ids(self) -> None:
        while True:
            try:
                if self._ids_conn is None:
                    self._call(self._connect())
                assert self._ids_conn is not None
                self._ids = self._call(known_ids(self._ids_conn, self.kind.name))
                break
            except Exception as e:
                if not is_unreachable(e):
                    raise
                self._wait_for_db(e)
        self.backoff.reset()
        self._ids_at = time.monotonic()

    # --- one batch --------------------------------------------------------------------------

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

    @staticmethod
    def _dead(m: Any, reason: str, detail: str) -> kafka_io.DeadLetter:
        return kafka_io.DeadLetter(m.topic, m.partition, m.offset, m.key, m.value, reason, detail)

    def _prepare(self, messages: list[Any]) -> _Batch:
        batch = _Batch(messages=messages)
        self._validate(batch)
        return batch

    async def _store(self, rows: list[tuple[object, ...]]) -> Isolated:
        if self._writer is None:
            await self._connect()
        assert self._writer is not None
        return await write_isolating(self._writer.write, rows)

    def _write(self, batch: _Batch) -> tuple[_Batch, Future[Isolated]]:
        return batch, self._submit(self._store(batch.rows))

    def _stored(self, batch: _Batch, written: Future[Isolated]) -> Isolated:
        """The batch's write outcome, retrying it while the database is unreachable."""
        while True:
            try:
                outcome = written.result()
            except Exception as e:
                if not is_unreachable(e):
                    raise
                self._wait_for_db(e)
                written = self._submit(self._store(batch.rows))
                continue
            self.backoff.reset()
            return outcome

    def _send_dead_letters(self, dead: list[kafka_io.DeadLetter]) -> None:
        """Send ``dead`` and wait for every acknowledgement; resend what failed, with back-off."""
        todo = list(dead)
        while todo:
            sent: list[tuple[kafka_io.DeadLetter, Any]] = []
            failed: list[kafka_io.DeadLetter] = []
            error: BaseException | None = None
            for d in todo:
                headers = d.headers()
                value = d.value
                if value is not None and len(value) > DLQ_MAX_VALUE:
                    headers.append(("dlq.value.bytes", str(len(value)).encode()))
                    value = value[:DLQ_MAX_VALUE]
                try:
                    fut = self._dlq.send(self.dlq_topic, key=d.key, value=value, headers=headers)
                except KafkaError as e:
                    failed.append(d)
                    error = e
                    continue
                sent.append((d, fut))
            self._dlq.flush(timeout=30)
            for d, fut in sent:
                if not fut.is_done or fut.failed():
                    failed.append(d)
                    error = fut.exception or KafkaError("dead-letter send not acknowledged")
            if failed:
                self._check_stop()
                assert error is not None
                self.backoff.wait(f"dead-letter topic {self.dlq_topic}", error)
            else:
                self.backoff.reset()
            todo = failed

    def _finish(self, batch: _Batch, written: Future[Isolated]) -> None:
        """Wait for the batch's database commit, dead-letter, then commit its offsets."""
        outcome = self._stored(batch, written)
        for j in outcome.result.duplicates:
            m = batch.messages[batch.row_msg[j]]
            batch.dead.append(self._dead(m, "duplicate", "natural key already stored"))
        for j, why in outcome.rejected:
            m = batch.messages[batch.row_msg[j]]
            batch.dead.append(self._dead(m, "db_rejected", why))
        for d in batch.dead:
            log.warning(
                "dead-letter %s[%d]@%d: %s (%s)", d.topic, d.partition, d.offset, d.reason, d.detail
            )
        if batch.dead:
            self._send_dead_letters(batch.dead)
        last: dict[TopicPartition, int] = {}
        for m in batch.messages:
            tp = TopicPartition(m.topic, m.partition)
            last[tp] = max(last.get(tp, -1), m.offset)
        try:
            self._consumer.commit({tp: OffsetAndMetadata(o + 1, "", -1) for tp, o in last.items()})
        except CommitFailedError:
            # The group rebalanced; the partitions' new owner replays from the last commit and
            # the idempotent writes and source-keyed dead letters keep the books straight.
            log.warning("offset commit failed after a rebalance; batch will be replayed")
        except KafkaError as e:
            # The broker is unreachable: the batch is stored and dead-lettered, so a replay
            # after a restart stores nothing twice; the next successful commit covers it.
            log.warning("offset commit failed (%s); batch will be replayed if needed", e)
        self._record(batch, last, len(outcome.result.stored))
        self.stats.consumed += len(batch.messages)
        self.stats.stored += len(outcome.result.stored)
        self.stats.dead_lettered.update(d.reason for d in batch.dead)
        self.stats.batches += 1
        if self.on_commit:
            self.on_commit(batch.messages)

    def _record(self, batch: _Batch, last: dict[TopicPartition, int], stored: int) -> None:
        """Prometheus: the batch's counts and latency, and the lag behind each partition's end."""
        reasons = Counter(d.reason for d in batch.dead)
        seconds = time.monotonic() - batch.started
        metrics.record_batch(self.topic, len(batch.messages), stored, reasons, seconds)
        for tp, offset in last.items():
            end = self._consumer.highwater(tp)
            if end is not None:
                metrics.set_lag(tp.topic, tp.partition, end - offset - 1)

    def process(self, messages: list[Any]) -> None:
        """Handle one batch end to end, without overlap (for tests and tools)."""
        self._finish(*self._write(self._prepare(messages)))

    def run(
        self, should_stop: Callable[[], bool] = lambda: False, idle_exit_s: float | None = None
    ) -> IngestStats:
        """Consume until ``should_stop()`` or, if given, ``idle_exit_s`` without messages."""
        self._should_stop = should_stop
        try:
            self._run(should_stop, idle_exit_s)
        except StopRequested:
            log.warning("stopped while waiting for a dependency; uncommitted batches replay")
        return self.stats

    def _run(self, should_stop: Callable[[], bool], idle_exit_s: float | None) -> None:
        last_msg = time.monotonic()
        assigned = False
        pending: tuple[_Batch, Future[Isolated]] | None = None
        while not should_stop():
            polled = self._poll(timeout_ms=200 if pending else 500)
            if not assigned and self._consumer.assignment():
                assigned = True  # idle time counts from joining the group (joins can be slow)
                last_msg = time.monotonic()
            if not polled:
                if pending:
                    self._finish(*pending)
                    pending = None
                idle = time.monotonic() - last_msg
                if idle_exit_s is not None and (assigned or idle > 60) and idle > idle_exit_s:
                    break
                continue
            last_msg = time.monotonic()
            messages = [m for tp in sorted(polled, key=lambda t: t.partition) for m in polled[tp]]
            batch = self._prepare(messages)  # overlaps with the previous batch's write
            if pending:
                self._finish(*pending)
            pending = self._write(batch)
        if pending:
            self._finish(*pending)

    def _poll(self, timeout_ms: int) -> dict[TopicPartition, list[Any]]:
        """One poll; a retriable error (the broker restarting) backs off, not ends the consumer."""
        try:
            polled: dict[TopicPartition, list[Any]] = self._consumer.poll(timeout_ms=timeout_ms)
        except KafkaError as e:
            if not e.retriable:
                raise
            self._check_stop()
            self.backoff.wait("Kafka broker", e)
            return {}
        if self.backoff.waiting_for == "Kafka broker":
            self.backoff.reset()
        return polled

    def close(self) -> None:
        # Bounded: a gone broker must not hang a stop (dead letters were acknowledged already).
        self._consumer.close(autocommit=False, timeout_ms=5000)
        self._dlq.close(timeout=5)
        self._call(self._disconnect())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()
