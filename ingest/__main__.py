"""Run one ingest consumer: ``city-ingest --kind gps`` (or ``python -m ingest --kind gps``).

Reads the settings (environment / .env); the broker and database must already be running.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import time
from datetime import timedelta

from core.cli import HelpFormatter, env_epilog
from core.logs import configure_logging
from core.metrics import start_metrics_server
from core.settings import Settings
from ingest import kafka_io
from ingest.consumer import StopRequested, TopicConsumer
from ingest.topics import kinds
from ingest.validate import ValidationPolicy

log = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="city-ingest",
        description=__doc__,
        formatter_class=HelpFormatter,
        epilog=env_epilog(
            "KAFKA_BOOTSTRAP_SERVERS",
            "DATABASE_URL",
            "CITYOPS_TOPIC_FILL",
            "CITYOPS_TOPIC_GPS",
            "CITYOPS_TOPIC_PARKING",
            "CITYOPS_TOPIC_DEAD_LETTER",
            "CITYOPS_TOPIC_PARTITIONS",
            "CITYOPS_TOPIC_REPLICATION",
            "CITYOPS_INGEST_BATCH_SIZE",
            "CITYOPS_CONSUMER_SESSION_TIMEOUT_MS",
            "CITYOPS_MAX_FUTURE_SKEW_S",
            "CITYOPS_GPS_RETENTION_DAYS",
            "CITYOPS_LOG_FORMAT",
            "CITYOPS_METRICS_PORT",
            "CITYOPS_KAFKA_SECURITY_PROTOCOL",
            "CITYOPS_KAFKA_SASL_MECHANISM",
            "CITYOPS_KAFKA_SASL_USERNAME",
            "CITYOPS_KAFKA_SASL_PASSWORD",
            "CITYOPS_KAFKA_SSL_CAFILE",
            note="KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL are required.",
        ),
    )
    p.add_argument(
        "--kind", choices=["fill", "gps", "parking"], required=True, help="which topic to consume"
    )
    p.add_argument(
        "--idle-exit",
        type=float,
        default=None,
        help="exit after this many seconds without messages (default: run forever)",
    )
    p.add_argument(
        "--batch-size",
        type=int,
        default=None,
        help="messages per database write (default: CITYOPS_INGEST_BATCH_SIZE)",
    )
    p.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING or ERROR")
    args = p.parse_args(argv)
    settings = Settings()
    configure_logging(args.log_level, settings.log_format, "%(asctime)s %(name)s %(message)s")
    if not settings.kafka_bootstrap_servers or not settings.database_url.get_secret_value():
        p.error("KAFKA_BOOTSTRAP_SERVERS and DATABASE_URL must be set")
    kind = kinds(settings)[args.kind]
    policy = ValidationPolicy(
        settings.city_profile().bbox, timedelta(seconds=settings.max_future_skew_s), kind.max_age
    )
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    start_metrics_server(settings.metrics_port)
    while not stopping:  # a broker that is down is waited for, not a crash loop
        try:
            kafka_io.ensure_topics(  # idempotent; production clusters do not auto-create topics
                settings.kafka_bootstrap_servers,
                [kind.topic(settings), settings.topic_dead_letter],
                settings.topic_partitions,
                settings.topic_replication,
            )
            break
        except RuntimeError as e:
            log.warning("%s; retrying in 5 s", e)
            time.sleep(5)
    try:
        consumer = TopicConsumer(
            kind,
            kind.topic(settings),
            settings.kafka_bootstrap_servers,
            settings.database_url.get_secret_value(),
            settings.topic_dead_letter,
            policy,
            batch_size=args.batch_size or settings.ingest_batch_size,
            session_timeout_ms=settings.consumer_session_timeout_ms,
            should_stop=lambda: stopping,
        )
    except StopRequested:
        return 0  # asked to stop while still waiting for the database or the broker
    try:
        stats = consumer.run(lambda: stopping, args.idle_exit)
    finally:
        consumer.close()
    print(
        json.dumps(
            {
                "kind": args.kind,
                "consumed": stats.consumed,
                "stored": stats.stored,
                "dead_lettered": dict(stats.dead_lettered),
            }
        ),
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
