"""How far a consumer group has committed on a topic (Kafka adapter)."""

from __future__ import annotations

from kafka import KafkaConsumer, TopicPartition

from core.settings import KafkaClientSettings


def committed_total(bootstrap: str, group: str, topic: str) -> int:
    """Sum of the group's committed offsets over the topic's partitions (0 where none)."""
    c = KafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=group,
        enable_auto_commit=False,
        **KafkaClientSettings().kafka_client_options(),  # SASL/TLS from CITYOPS_KAFKA_*
    )
    try:
        parts = c.partitions_for_topic(topic) or set()
        total = 0
        for p in parts:
            off = c.committed(TopicPartition(topic, p))
            total += off or 0
        return total
    finally:
        c.close()
