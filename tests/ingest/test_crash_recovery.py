"""Integration: a consumer SIGKILLed mid-stream and restarted loses nothing or duplicates."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from core.db.inventory import save_bins
from core.domain import Bin
from core.records import FillReading, encode
from ingest import kafka_io
from ingest.reconcile import count_dead_letters

pytestmark = [pytest.mark.integration, pytest.mark.slow]


async def _rows(dsn: str) -> tuple[int, int]:
    conn = await asyncpg.connect(dsn)
    try:
        n = await conn.fetchval("SELECT count(*) FROM fill_readings")
        distinct = await conn.fetchval(
            "SELECT count(*) FROM (SELECT DISTINCT src_partition, src_offset FROM fill_readings) s"
        )
        return int(n), int(distinct)
    finally:
        await conn.close()


def _start(kind: str, env: dict[str, str], idle: float | None = None) -> subprocess.Popen[bytes]:
    cmd = [
        sys.executable,
        "-m",
        "ingest",
        "--kind",
        kind,
        "--batch-size",
        "400",
        "--log-level",
        "ERROR",
    ]
    if idle is not None:
        cmd += ["--idle-exit", str(idle)]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_sigkill_mid_batch_then_restart_loses_nothing(endpoints, database, topic_prefix):
    """Kill -9 while batches are being written; after restart rows == valid messages, once each."""
    bins = [Bin(f"bin-{i:03d}", 12.56, 55.69, "Jagtvej", "Nørrebro") for i in range(200)]

    async def register() -> None:
        conn = await asyncpg.connect(database)
        await save_bins(conn, bins)
        await conn.close()

    asyncio.run(register())
    topic, dlq = f"{topic_prefix}.fill", f"{topic_prefix}.dlq"
    bs = endpoints.kafka_bootstrap_servers
    kafka_io.ensure_topics(bs, [topic, dlq], 3)
    start = datetime.now(UTC) - timedelta(days=30)
    n_valid, n_bad = 40_000, 25
    p = kafka_io.producer(bs)
    for i in range(n_valid):
        r = FillReading(bins[i % 200].bin_id, start + timedelta(minutes=i // 200), 0.5, 9.0)
        p.send(topic, key=r.sensor_id.encode(), value=encode(r))
        if i % 1600 == 0 and i // 1600 < n_bad:
            p.send(topic, key=b"x", value=b'{"schemaVersion":1,"sensorId":')
    p.flush()
    p.close()
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": bs,
        "DATABASE_URL": database,
        "CITYOPS_TOPIC_FILL": topic,
        "CITYOPS_TOPIC_DEAD_LETTER": dlq,
    }

    proc = _start("fill", env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        n, _ = asyncio.run(_rows(database))
        if n >= 4000:
            break
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    killed_at, _ = asyncio.run(_rows(database))
    assert 0 < killed_at < n_valid, "the kill must land mid-stream"

    proc = _start("fill", env, idle=6.0)
    out, err = proc.communicate(timeout=180)
    assert proc.returncode == 0, err.decode()[-2000:]
    n, distinct = asyncio.run(_rows(database))
    assert n == n_valid
    assert distinct == n_valid
    dead = count_dead_letters(bs, dlq, expected=n_bad)
    assert dead.by_topic[topic] == n_bad
    assert dict(dead.by_reason[topic]) == {"bad_json": n_bad}
