"""Shared set-up for the ingest integration tests: registering ids, producing, consuming."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import asyncpg

from core.db.inventory import save_bins, save_parking_sites, save_sites, save_vehicles
from core.domain import Bin, ParkingSite, Site, Vehicle, VehicleKind
from core.settings import Settings
from ingest import kafka_io
from ingest.consumer import TopicConsumer
from ingest.resilience import Backoff
from ingest.topics import kinds
from ingest.validate import ValidationPolicy
from tests.cities import COPENHAGEN_BBOX

NOW = datetime.now(UTC).replace(microsecond=0)


def register(dsn: str, bins: int = 5, vehicles: int = 3, parking: int = 1) -> None:
    """Register ``bin-i``, ``veh-i`` and ``p-i`` so their messages validate."""

    async def go() -> None:
        conn = await asyncpg.connect(dsn)
        try:
            await save_sites(conn, [Site("depot-1", "Depot", 12.55, 55.69)], "depot")
            await save_bins(
                conn, [Bin(f"bin-{i}", 12.56, 55.69, "Jagtvej", "Nørrebro") for i in range(bins)]
            )
            await save_vehicles(
                conn,
                [
                    Vehicle(f"veh-{i}", VehicleKind.WASTE_TRUCK, "depot-1", 12000, 6000)
                    for i in range(vehicles)
                ],
            )
            await save_parking_sites(
                conn,
                [
                    ParkingSite(f"p-{i}", "Jagtvej", "street", 20, 12.55, 55.70)
                    for i in range(parking)
                ],
            )
        finally:
            await conn.close()

    asyncio.run(go())


def scalar(dsn: str, sql: str) -> Any:
    async def go() -> Any:
        conn = await asyncpg.connect(dsn)
        try:
            return await conn.fetchval(sql)
        finally:
            await conn.close()

    return asyncio.run(go())


def produce(bootstrap: str, topic: str, values: Iterable[bytes | None]) -> int:
    """Send raw values in order to partition 0 (acknowledged); returns how many.

    A ``None`` value is a tombstone, which Kafka allows only with a key."""
    p = kafka_io.producer(bootstrap)
    n = 0
    for v in values:
        p.send(topic, key=b"tombstone" if v is None else None, value=v, partition=0)
        n += 1
    p.flush()
    p.close()
    return n


def consumer(
    kind_name: str,
    topic: str,
    dlq: str,
    bootstrap: str,
    dsn: str,
    batch_size: int = 50,
    on_commit: Callable[[list[Any]], None] | None = None,
) -> TopicConsumer:
    kind = kinds(Settings())[kind_name]
    return TopicConsumer(
        kind,
        topic,
        bootstrap,
        dsn,
        dlq,
        ValidationPolicy(COPENHAGEN_BBOX, max_age=kind.max_age),
        batch_size=batch_size,
        on_commit=on_commit,
        backoff=Backoff(first_s=0.2, max_s=1.0),
    )


def consume(kind_name: str, topic: str, dlq: str, bootstrap: str, dsn: str, **kw: Any) -> Any:
    """Run a consumer until 4 s without messages; returns its stats."""
    c = consumer(kind_name, topic, dlq, bootstrap, dsn, **kw)
    try:
        return c.run(idle_exit_s=4.0)
    finally:
        c.close()
