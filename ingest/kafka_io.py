"""Kafka adapter: client factories, topic creation and the dead-letter envelope."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

log = logging.getLogger(__name__)

# Header names on dead-lettered messages; the value is the original bytes, unchanged.
H_REASON, H_DETAIL = "dlq.reason", "dlq.detail"
H_TOPIC, H_PARTITION, H_OFFSET = "dlq.source.topic", "dlq.source.partition", "dlq.source.offset"


def ensure_topics(
    bootstrap: str,
    topics: Iterable[str],
    partitions: int,
    replication: int = 1,
    security: dict[str, object] | None = None,
) -> None:
    """Create missing topics (idempotent), retrying while the broker warms up. ``security``:
    kafka-python SASL/TLS options, by default from ``CITYOPS_KAFKA_*``."""
    from core.settings import KafkaClientSettings

    secured = KafkaClientSettings().kafka_client_options() if security is None else security
    wanted = list(topics)
    deadline = time.monotonic() + 30
    while True:
        try:
            admin = KafkaAdminClient(
                bootstrap_servers=bootstrap, client_id="cityops-admin", **secured
            )
            try:
                existing = set(admin.list_topics())
                new = [NewTopic(t, partitions, replication) for t in wanted if t not in existing]
                if new:
                    try:
                        admin.create_topics(new)
                    except TopicAlreadyExistsError:
                        pass
            finally:
                admin.close()
            return
        except KafkaError as e:
            if time.monotonic() > deadline:
                raise RuntimeError(f"cannot create topics {wanted} on {bootstrap}") from e
            time.sleep(0.5)


def producer(
    bootstrap: str, security: dict[str, object] | None = None, **overrides: object
) -> KafkaProducer:
    """A producer tuned for throughput that still waits for the broker's acknowledgement.
    ``security``: kafka-python SASL/TLS options, by default from ``CITYOPS_KAFKA_*``."""
    from core.settings import KafkaClientSettings

    config: dict[str, object] = {
        "bootstrap_servers": bootstrap,
        "acks": "all",
        "linger_ms": 20,
        "batch_size": 512 * 1024,
        "max_request_size": 8 * 1024 * 1024,
        "retries": 5,
    }
    config.update(KafkaClientSettings().kafka_client_options() if security is None else security)
    config.update(overrides)
    return KafkaProducer(**config)


def consumer(
    bootstrap: str,
    topic: str,
    group: str,
    session_timeout_ms: int,
    max_poll_records: int,
    security: dict[str, object] | None = None,
) -> KafkaConsumer:
    """A manually committed consumer; offsets are committed only after the database commit.

    ``auto_offset_reset="earliest"`` with committed offsets, because the embedded broker's
    end-offset queries under-report. Short session timeout: group joins take about half of it.
    ``security``: kafka-python SASL/TLS options, by default from ``CITYOPS_KAFKA_*``.
    """
    from core.settings import KafkaClientSettings

    secured = KafkaClientSettings().kafka_client_options() if security is None else security
    return KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=group,
        client_id=f"{group}-consumer",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        session_timeout_ms=session_timeout_ms,
        heartbeat_interval_ms=max(500, session_timeout_ms // 6),
        max_poll_records=max_poll_records,
        max_poll_interval_ms=300_000,
        fetch_max_bytes=64 * 1024 * 1024,
        max_partition_fetch_bytes=16 * 1024 * 1024,
        fetch_max_wait_ms=200,
        **secured,
    )


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A rejected message, its source coordinates and a machine-readable reason."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    reason: str
    detail: str

    def headers(self) -> list[tuple[str, bytes]]:
        return [
            (H_REASON, self.reason.encode()),
            (H_DETAIL, self.detail[:500].encode()),
            (H_TOPIC, self.topic.encode()),
            (H_PARTITION, str(self.partition).encode()),
            (H_OFFSET, str(self.offset).encode()),
        ]


def header_map(headers: Iterable[tuple[str, bytes]] | None) -> dict[str, str]:
    return {k: v.decode(errors="replace") for k, v in (headers or [])}
