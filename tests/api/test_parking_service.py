"""The parking service's cache of the sites' latest counts (fake pool, controlled clock)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from api.parking_service import ParkingService
from api.state import ApiConfig


class FakeConn:
    """Answers the ``parking_state`` query with one site's count and counts the reads."""

    def __init__(self, site_id: str) -> None:
        self.site_id = site_id
        self.reads = 0

    async def fetch(self, query: str) -> list[dict[str, object]]:
        self.reads += 1
        return [
            {
                "site_id": self.site_id,
                "observed_at": datetime.now(UTC),
                "free": self.reads,
                "capacity": 50,
            }
        ]


class FakePool:
    def __init__(self, conn: FakeConn) -> None:
        self.conn = conn

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[FakeConn]:
        yield self.conn


def _service(
    path: Path, refresh_s: float, monkeypatch: pytest.MonkeyPatch, clock: list[float]
) -> tuple[ParkingService, FakePool]:
    monkeypatch.setattr("api.parking_service.time.monotonic", lambda: clock[0])
    service = ParkingService.from_file(path, refresh_s=refresh_s)
    site = service.require().sites.site_ids[0]
    return service, FakePool(FakeConn(str(site)))


def test_latest_counts_are_reused_for_refresh_s(
    parking_model_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Queries within refresh_s share one database read; after it the counts are re-read."""
    clock = [100.0]
    service, pool = _service(parking_model_file, 30.0, monkeypatch, clock)

    async def go() -> list[float]:
        out = []
        for t in (100.0, 110.0, 129.9, 130.5, 140.0):
            clock[0] = t
            out.append(float((await service.latest(pool)).free[0]))  # type: ignore[arg-type]
        return out

    assert asyncio.run(go()) == [1.0, 1.0, 1.0, 2.0, 2.0]
    assert pool.conn.reads == 2


def test_zero_refresh_reads_every_time(
    parking_model_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """refresh_s = 0 turns the cache off: every query reads the latest counts."""
    clock = [5.0]
    service, pool = _service(parking_model_file, 0.0, monkeypatch, clock)

    async def go() -> None:
        for _ in range(3):
            clock[0] += 0.001
            await service.latest(pool)  # type: ignore[arg-type]

    asyncio.run(go())
    assert pool.conn.reads == 3


def test_refresh_is_configurable_and_validated() -> None:
    """ApiConfig carries parking_refresh_s (default 30 s) and refuses a negative one."""
    assert ApiConfig("postgresql://x/y", "s" * 16).parking_refresh_s == 30.0
    with pytest.raises(ValueError, match="parking_refresh_s"):
        ApiConfig("postgresql://x/y", "s" * 16, parking_refresh_s=-1)
