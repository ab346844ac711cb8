"""Integration: `city-services` is a local stand-in for production's broker and database."""

from __future__ import annotations

import asyncio
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from kafka import KafkaConsumer, KafkaProducer

from core.db.inventory import save_bins
from core.domain import Bin
from core.records import FillReading, encode

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


def _lines(stream: object, n: int, timeout_s: float) -> list[str]:
    """The first ``n`` lines of ``stream``, or fail after ``timeout_s``."""
    got: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in stream:  # type: ignore[attr-defined]
            got.put(line)

    threading.Thread(target=read, daemon=True).start()
    out = []
    for _ in range(n):
        try:
            out.append(got.get(timeout=timeout_s).rstrip("\n"))
        except queue.Empty:
            pytest.fail(f"city-services printed {out} within {timeout_s} s, expected {n} lines")
    return out


async def _query(dsn: str) -> tuple[int, int]:
    conn = await asyncpg.connect(dsn)
    try:
        await save_bins(conn, [Bin("bin-1", 12.56, 55.69, "Nørrebrogade", "Nørrebro")])
        migrations = int(await conn.fetchval("SELECT count(*) FROM schema_migrations"))
        return migrations, int(await conn.fetchval("SELECT count(*) FROM fill_readings"))
    finally:
        await conn.close()


async def _stored(dsn: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM fill_readings"))
    finally:
        await conn.close()


def test_city_services_serves_broker_and_migrated_database_until_interrupted(
    tmp_path: Path,
) -> None:
    """Two KEY=VALUE lines on stdout; a query, a Kafka round trip and `python -m ingest` work
    against them; SIGINT stops both and exits 0."""
    topic = f"t{uuid.uuid4().hex[:8]}.fill"
    env = {
        **os.environ,
        "CITYOPS_TOPIC_FILL": topic,
        "CITYOPS_TOPIC_DEAD_LETTER": f"{topic}.dlq",
        "CITYOPS_TOPIC_PARTITIONS": "1",
    }
    env.pop("KAFKA_BOOTSTRAP_SERVERS", None)
    env.pop("DATABASE_URL", None)
    env_file = tmp_path / "services.env"
    proc = subprocess.Popen(
        [sys.executable, "-m", "core.services_cli", "--env-file", str(env_file)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        lines = _lines(proc.stdout, 2, 120.0)
        assert lines[0].startswith("KAFKA_BOOTSTRAP_SERVERS=")
        assert lines[1].startswith("DATABASE_URL=postgresql://")
        assert env_file.read_text().splitlines() == lines
        found = dict(line.split("=", 1) for line in lines)
        bootstrap, dsn = found["KAFKA_BOOTSTRAP_SERVERS"], found["DATABASE_URL"]

        migrations, stored = asyncio.run(_query(dsn))
        assert migrations >= 7 and stored == 0

        # A Kafka round trip with a plain client on the topic city-services created.
        reading = FillReading("bin-1", datetime.now(UTC) - timedelta(minutes=5), 0.42)
        producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
        producer.send(topic, encode(reading)).get(timeout=30)
        producer.close()
        consumer = KafkaConsumer(
            topic,
            bootstrap_servers=bootstrap,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            consumer_timeout_ms=20_000,
        )
        values = [m.value for m in consumer]
        consumer.close()
        assert values == [encode(reading)]

        # The ingest command, configured like production, stores it.
        ingest = subprocess.run(
            [sys.executable, "-m", "ingest", "--kind", "fill", "--idle-exit", "4"],
            cwd=ROOT,
            env={**env, "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "DATABASE_URL": dsn},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert ingest.returncode == 0, ingest.stderr[-2000:]
        assert json.loads(ingest.stdout.strip().splitlines()[-1])["stored"] == 1
        assert asyncio.run(_stored(dsn)) == 1
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            code = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            pytest.fail("city-services did not stop within 60 s of SIGINT")
    assert code == 0
    assert not env_file.exists()
    with pytest.raises((OSError, asyncpg.PostgresError)):
        asyncio.run(_stored(dsn))  # the server is gone
