"""Integration: durable local mode. The embedded broker keeps topics, records and committed
offsets in a local S3 server, and the embedded PostgreSQL keeps its cluster, across restarts on
the same directory, a SIGKILL included; `city-services --persist DIR` continues a stored city."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.structs import OffsetAndMetadata

from core.embedded import EmbeddedBroker, start_broker
from core.embedded_pg import start_postgres
from tests.core.test_services_cli import _lines

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
TOPIC, GROUP, N = "durable.v1", "durable-group", 120
PARTS = [TopicPartition(TOPIC, 0), TopicPartition(TOPIC, 1)]
COMMITTED = {PARTS[0]: 25, PARTS[1]: 40}


@pytest.fixture
def persist_dir() -> Iterator[Path]:
    """A persist directory PostgreSQL's own system user can reach when the tests run as root
    (pytest's tmp_path is private to root)."""
    root = Path(tempfile.mkdtemp(prefix="cityops-durable-"))
    root.chmod(0o755)
    yield root
    shutil.rmtree(root, ignore_errors=True)


def _produce(bootstrap: str, values: list[bytes]) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    sent = [producer.send(TOPIC, v, partition=i % 2) for i, v in enumerate(values)]
    producer.flush()
    for future in sent:
        future.get(timeout=30)
    producer.close()


def _read_all(bootstrap: str, n: int) -> list[bytes]:
    """Every record of the topic, from the beginning (at least ``n``, or what came in 30 s)."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    consumer.assign(PARTS)
    consumer.seek_to_beginning()
    got: list[bytes] = []
    deadline = time.monotonic() + 30
    while len(got) < n and time.monotonic() < deadline:
        for records in consumer.poll(500).values():
            got += [r.value for r in records]
    consumer.close()
    return got


def _committed(bootstrap: str) -> dict[TopicPartition, int | None]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=GROUP, enable_auto_commit=False)
    try:
        return {tp: consumer.committed(tp) for tp in PARTS}
    finally:
        consumer.close()


def _kill(broker: EmbeddedBroker) -> None:
    """SIGKILL the broker and its S3 server: nothing is flushed or closed."""
    assert broker.s3 is not None
    for proc in (broker.process, broker.s3.process):
        proc.kill()
        proc.wait()


def test_durable_broker_keeps_topics_records_and_offsets_across_restarts(tmp_path: Path) -> None:
    """Topic, records and a group's committed offsets survive a SIGTERM restart and a SIGKILL;
    a record produced after a restart gets the next offset."""
    values = [f"m{i}".encode() for i in range(N)]
    broker = start_broker(storage_dir=tmp_path)
    try:
        admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap_servers)
        admin.create_topics([NewTopic(TOPIC, 2, 1)])
        admin.close()
        _produce(broker.bootstrap_servers, values)
        consumer = KafkaConsumer(bootstrap_servers=broker.bootstrap_servers, group_id=GROUP)
        consumer.commit({tp: OffsetAndMetadata(o, "", -1) for tp, o in COMMITTED.items()})
        consumer.close()
    finally:
        broker.stop()

    broker = start_broker(storage_dir=tmp_path)  # SIGTERM'd before: a clean restart
    try:
        assert sorted(_read_all(broker.bootstrap_servers, N)) == sorted(values)
        assert _committed(broker.bootstrap_servers) == COMMITTED
        _produce(broker.bootstrap_servers, [b"after-restart"])
    except BaseException:
        broker.stop()
        raise
    _kill(broker)

    broker = start_broker(storage_dir=tmp_path)  # SIGKILL'd before
    try:
        got = _read_all(broker.bootstrap_servers, N + 1)
        assert sorted(got) == sorted([*values, b"after-restart"])
        assert _committed(broker.bootstrap_servers) == COMMITTED
        consumer = KafkaConsumer(bootstrap_servers=broker.bootstrap_servers)
        consumer.assign(PARTS[:1])
        consumer.seek_to_beginning(PARTS[0])
        offsets = [r.offset for rs in consumer.poll(5000, max_records=N).values() for r in rs]
        consumer.close()
        assert offsets == list(range(len(offsets))) and len(offsets) == N // 2 + 1
    finally:
        broker.stop()
    assert (tmp_path / "s3" / "data").is_dir()


async def _pg(dsn: str, sql: str) -> object:
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetchval(sql)
    finally:
        await conn.close()


def test_persistent_postgres_reuses_its_data_directory(persist_dir: Path) -> None:
    """fsync is on; a row committed before a SIGKILL of the server is there after the next start
    on the same directory (the cluster is reused, its WAL replayed); the directory is kept."""
    data = persist_dir / "postgres"
    pg = start_postgres(data_dir=data)
    try:
        assert asyncio.run(_pg(pg.dsn, "SHOW fsync")) == "on"
        asyncio.run(_pg(pg.dsn, "CREATE TABLE kept AS SELECT 42 AS answer"))
    finally:
        pg.process.kill()  # no shutdown checkpoint
        pg.process.wait()
        pg.stop()
    assert (data / "PG_VERSION").exists()

    pg = start_postgres(data_dir=data)
    try:
        assert asyncio.run(_pg(pg.dsn, "SELECT answer FROM kept")) == 42
    finally:
        pg.stop()
    assert (data / "PG_VERSION").exists()


def _run_services(persist: Path, env: dict[str, str]) -> tuple[subprocess.Popen[str], dict]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "core.services_cli", "--persist", str(persist)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        found = dict(line.split("=", 1) for line in _lines(proc.stdout, 2, 120.0))
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    return proc, found


def _stop_services(proc: subprocess.Popen[str]) -> float:
    """SIGTERM; the seconds it took to exit 0."""
    t0 = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        assert proc.wait(timeout=30) == 0
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        pytest.fail("city-services did not stop within 30 s of SIGTERM")
    return time.monotonic() - t0


def test_city_services_persist_continues_the_stored_city(persist_dir: Path) -> None:
    """A second `city-services --persist DIR` serves the first one's topics, records, committed
    offsets and tables; migrations are not applied twice; each stop takes a few seconds."""
    topic = f"t{uuid.uuid4().hex[:8]}.fill"
    env = {
        **os.environ,
        "CITYOPS_TOPIC_FILL": topic,
        "CITYOPS_TOPIC_DEAD_LETTER": f"{topic}.dlq",
        "CITYOPS_TOPIC_PARTITIONS": "1",
    }
    for name in ("KAFKA_BOOTSTRAP_SERVERS", "DATABASE_URL", "CITYOPS_PERSIST_DIR"):
        env.pop(name, None)
    persist = persist_dir / "city"
    tp = TopicPartition(topic, 0)
    proc, found = _run_services(persist, env)
    try:
        bootstrap, dsn = found["KAFKA_BOOTSTRAP_SERVERS"], found["DATABASE_URL"]
        migrations = asyncio.run(_pg(dsn, "SELECT count(*) FROM schema_migrations"))
        asyncio.run(_pg(dsn, "CREATE TABLE city_kept AS SELECT 'day 1' AS note"))
        producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
        producer.send(topic, b"reading-1").get(timeout=30)
        producer.close()
        consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id="city-group")
        consumer.commit({tp: OffsetAndMetadata(1, "", -1)})
        consumer.close()
    finally:
        first_stop = _stop_services(proc)

    proc, found = _run_services(persist, env)
    try:
        bootstrap, dsn = found["KAFKA_BOOTSTRAP_SERVERS"], found["DATABASE_URL"]
        assert asyncio.run(_pg(dsn, "SELECT note FROM city_kept")) == "day 1"
        assert asyncio.run(_pg(dsn, "SELECT count(*) FROM schema_migrations")) == migrations
        consumer = KafkaConsumer(bootstrap_servers=bootstrap, consumer_timeout_ms=10_000)
        consumer.assign([tp])
        consumer.seek_to_beginning(tp)
        values = [next(consumer).value]
        consumer.close()
        assert values == [b"reading-1"]
        group = KafkaConsumer(bootstrap_servers=bootstrap, group_id="city-group")
        assert group.committed(tp) == 1
        group.close()
    finally:
        second_stop = _stop_services(proc)
    assert max(first_stop, second_stop) < 10.0
