"""The served parking model plus a short-lived cache of each site's latest count (adapter)."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime
from pathlib import Path

import asyncpg

from core.db.parking import latest_observations
from parking.model import ParkingModel
from parking.nearby import LatestCounts, ParkingAnswer, QueryOptions, latest_counts, nearby
from parking.persistence import ModelFileError, load_model

log = logging.getLogger(__name__)


class ParkingUnavailable(RuntimeError):
    """No parking model is loaded; the message says why."""


class ParkingService:
    """Answers parking queries from a model file and the database's latest counts."""

    def __init__(
        self, model: ParkingModel | None, why_missing: str = "", refresh_s: float = 30.0
    ) -> None:
        self.model = model
        self.why_missing = why_missing
        self.refresh_s = refresh_s
        self._latest: LatestCounts | None = None
        self._fetched = -1e18
        self._lock = asyncio.Lock()

    @classmethod
    def from_file(cls, path: Path | None, refresh_s: float = 30.0) -> ParkingService:
        """Load ``path``; a missing or unreadable file leaves the service unavailable."""
        if path is None:
            return cls(None, "no parking model configured", refresh_s)
        try:
            return cls(load_model(path), refresh_s=refresh_s)
        except (ModelFileError, FileNotFoundError) as e:
            log.warning("parking model not loaded: %s", e)
            return cls(None, f"parking model not available ({Path(path).name})", refresh_s)

    def require(self) -> ParkingModel:
        if self.model is None:
            raise ParkingUnavailable(self.why_missing)
        return self.model

    async def latest(self, pool: asyncpg.Pool) -> LatestCounts:
        """Latest counts, re-read from ``parking_state`` at most every ``refresh_s`` seconds."""
        model = self.require()
        if self._latest is None or time.monotonic() - self._fetched > self.refresh_s:
            async with self._lock:
                if self._latest is None or time.monotonic() - self._fetched > self.refresh_s:
                    async with pool.acquire() as conn:
                        obs = await latest_observations(conn)
                    self._latest = latest_counts(model, obs)
                    self._fetched = time.monotonic()
        assert self._latest is not None
        return self._latest

    async def query(
        self,
        pool: asyncpg.Pool,
        lon: float,
        lat: float,
        radius_m: float,
        at: datetime,
        options: QueryOptions,
    ) -> ParkingAnswer:
        """Ranked sites near (lon, lat) for arrival at ``at``."""
        model = self.require()
        return nearby(model, lon, lat, radius_m, at, await self.latest(pool), options)
