"""The platform's Prometheus metrics: what each recording function counts, and the ingest
processes' metrics server."""

from __future__ import annotations

import time
import urllib.request
import uuid
from collections import Counter

import pytest
from prometheus_client import REGISTRY

from core import metrics
from core.embedded import free_port


def _value(name: str, **labels: str) -> float:
    v = REGISTRY.get_sample_value(name, labels)
    return 0.0 if v is None else v


def _topic() -> str:
    return f"t.{uuid.uuid4().hex[:8]}"  # a fresh label set: counters are process-wide


def test_record_batch_counts_per_topic_and_reason() -> None:
    """One batch adds consumed, stored, dead letters per reason and one latency observation."""
    topic = _topic()
    metrics.record_batch(topic, 10, 7, Counter({"invalid_json": 2, "duplicate": 1}), 0.2)
    metrics.record_batch(topic, 5, 5, Counter(), 0.1)
    assert _value("cityops_ingest_messages_consumed_total", topic=topic) == 15
    assert _value("cityops_ingest_messages_stored_total", topic=topic) == 12
    dead = "cityops_ingest_messages_dead_lettered_total"
    assert _value(dead, topic=topic, reason="invalid_json") == 2
    assert _value(dead, topic=topic, reason="duplicate") == 1
    assert _value("cityops_ingest_batch_seconds_count", topic=topic) == 2
    assert _value("cityops_ingest_batch_seconds_sum", topic=topic) == pytest.approx(0.3)


def test_record_batch_skips_zero_reasons_and_refuses_negatives() -> None:
    """A reason counted 0 makes no series; negative counts are a caller's bug."""
    topic = _topic()
    metrics.record_batch(topic, 1, 1, {"duplicate": 0}, 0.01)
    dead = "cityops_ingest_messages_dead_lettered_total"
    assert REGISTRY.get_sample_value(dead, {"topic": topic, "reason": "duplicate"}) is None
    with pytest.raises(ValueError, match="negative"):
        metrics.record_batch(topic, -1, 0, {}, 0.01)


def test_set_lag_per_partition_never_negative() -> None:
    """Lag is a gauge per topic and partition; an under-reported end offset shows as 0."""
    topic = _topic()
    metrics.set_lag(topic, 0, 120)
    metrics.set_lag(topic, 1, -3)
    metrics.set_lag(topic, 0, 80)
    assert _value("cityops_consumer_lag_messages", topic=topic, partition="0") == 80
    assert _value("cityops_consumer_lag_messages", topic=topic, partition="1") == 0


def test_observe_plan_sets_last_plan_time_only_when_accepted() -> None:
    """Plan durations by outcome; the last-plan gauge moves for an accepted plan only."""
    before = _value("cityops_plan_duration_seconds_count", outcome="rejected")
    metrics.LAST_PLAN.set(0)
    metrics.observe_plan(12.0, "rejected")
    assert _value("cityops_last_plan_timestamp_seconds") == 0
    assert _value("cityops_plan_duration_seconds_count", outcome="rejected") == before + 1
    metrics.observe_plan(30.0, "accepted")
    assert _value("cityops_last_plan_timestamp_seconds") == pytest.approx(time.time(), abs=5)


def test_exposition_is_prometheus_text() -> None:
    """The API's /metrics body names every cityops metric family."""
    body, content_type = metrics.exposition()
    text = body.decode()
    assert content_type.startswith("text/plain")
    for family in (
        "cityops_ingest_messages_consumed",
        "cityops_consumer_lag_messages",
        "cityops_plan_duration_seconds",
        "cityops_last_plan_timestamp_seconds",
        "cityops_api_request_seconds",
    ):
        assert f"# TYPE {family}" in text


def test_metrics_server_off_at_port_0_and_serves_otherwise() -> None:
    """Port 0 starts nothing; a port serves the registry over HTTP; a bad port is refused."""
    assert metrics.start_metrics_server(0) is None
    with pytest.raises(ValueError, match="port"):
        metrics.start_metrics_server(70000)
    port = free_port()
    server = metrics.start_metrics_server(port, addr="127.0.0.1")
    assert server is not None
    try:
        metrics.set_lag("served.topic", 2, 7)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
            text = r.read().decode()
        assert 'cityops_consumer_lag_messages{partition="2",topic="served.topic"} 7.0' in text
    finally:
        server.shutdown()
        server.server_close()
