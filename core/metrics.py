"""Prometheus metrics of the platform (``cityops_*``) and the small functions that record them.

The metric objects live in the process's default registry: the API serves them at ``/metrics``,
an ingest process from :func:`start_metrics_server` (``CITYOPS_METRICS_PORT``). Labels carry
topics, partitions, reasons and route templates only: never an id, a user or a position.
``ops/prometheus/alerts.yml`` alerts on them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from wsgiref.simple_server import WSGIServer

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    start_http_server,
)

log = logging.getLogger(__name__)

_BATCH_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
_PLAN_BUCKETS = (1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1200.0, 1800.0, 3600.0)
_REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

INGEST_CONSUMED = Counter(
    "cityops_ingest_messages_consumed", "Messages read from Kafka by ingest.", ["topic"]
)
INGEST_STORED = Counter(
    "cityops_ingest_messages_stored", "Messages stored in PostgreSQL by ingest.", ["topic"]
)
INGEST_DEAD_LETTERED = Counter(
    "cityops_ingest_messages_dead_lettered",
    "Messages sent to the dead-letter topic, by reason.",
    ["topic", "reason"],
)
CONSUMER_LAG = Gauge(
    "cityops_consumer_lag_messages",
    "Messages between the group's committed offset and the partition's end.",
    ["topic", "partition"],
)
BATCH_SECONDS = Histogram(
    "cityops_ingest_batch_seconds",
    "Time to validate, store and dead-letter one batch.",
    ["topic"],
    buckets=_BATCH_BUCKETS,
)
PLAN_SECONDS = Histogram(
    "cityops_plan_duration_seconds",
    "Time to compute and store a day plan, by outcome (accepted, rejected, failed).",
    ["outcome"],
    buckets=_PLAN_BUCKETS,
)
LAST_PLAN = Gauge(
    "cityops_last_plan_timestamp_seconds",
    "Unix time at which the last accepted day plan was stored (0: none since start).",
)
REQUEST_SECONDS = Histogram(
    "cityops_api_request_seconds",
    "API request latency by method, route template and status code.",
    ["method", "route", "status"],
    buckets=_REQUEST_BUCKETS,
)


def record_batch(
    topic: str, consumed: int, stored: int, dead_reasons: Mapping[str, int], seconds: float
) -> None:
    """Count one ingest batch: messages consumed and stored, dead letters per reason (for
    example a ``collections.Counter`` of reasons) and the batch's latency."""
    if consumed < 0 or stored < 0 or seconds < 0:
        raise ValueError("consumed, stored and seconds must not be negative.")
    INGEST_CONSUMED.labels(topic).inc(consumed)
    INGEST_STORED.labels(topic).inc(stored)
    for reason, n in dead_reasons.items():
        if n:
            INGEST_DEAD_LETTERED.labels(topic, reason).inc(n)
    BATCH_SECONDS.labels(topic).observe(seconds)


def set_lag(topic: str, partition: int, lag: int) -> None:
    """The consumer group's lag on one partition (negative lag, from an end offset the broker
    under-reports, is shown as 0)."""
    CONSUMER_LAG.labels(topic, str(partition)).set(max(0, lag))


def observe_plan(seconds: float, outcome: str) -> None:
    """A day plan took ``seconds`` and ended ``accepted``, ``rejected`` or ``failed``; an
    accepted one also sets :data:`LAST_PLAN` to now."""
    PLAN_SECONDS.labels(outcome).observe(seconds)
    if outcome == "accepted":
        LAST_PLAN.set(time.time())


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    """One API request: ``route`` is the template (``/driver/routes/{vehicle_id}``), never the
    path, so that ids and coordinates stay out of the labels."""
    REQUEST_SECONDS.labels(method, route, str(status)).observe(seconds)


def exposition(registry: CollectorRegistry = REGISTRY) -> tuple[bytes, str]:
    """The registry in Prometheus' text format and its content type."""
    return generate_latest(registry), CONTENT_TYPE_LATEST


def start_metrics_server(port: int, addr: str = "0.0.0.0") -> WSGIServer | None:
    """Serve ``/metrics`` from a daemon thread on ``port`` (``CITYOPS_METRICS_PORT``); 0 leaves
    it off (None). The server dies with the process; ``shutdown()`` stops it before."""
    if port < 0 or port > 65535:
        raise ValueError("port must be between 0 and 65535.")
    if port == 0:
        return None
    server, _thread = start_http_server(port, addr=addr)
    log.info("metrics on http://%s:%d/metrics", addr, port)
    return server
