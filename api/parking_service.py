"""The served parking model plus a short-lived cache of each site's latest count (adapter).

The model file is watched: :meth:`ParkingService.watch` (a background task of the application)
stats it every ``reload_s`` seconds and, when its modification time, size or inode changed, loads
the new model in a worker thread and swaps it in (one attribute assignment: a query sees either
the old or the new model, never a mix). A file that does not load -- half written, corrupt, from
a newer format -- keeps the current model serving and is reported once as a warning. Training
writes the file atomically (``parking/train.py``: temporary file + ``os.replace``), so the
server normally never sees a partial file.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from datetime import datetime
from pathlib import Path

import asyncpg

from api.background import stop_task
from core.db.parking import latest_observations
from core.records import ParkingObservation
from parking.model import ParkingModel
from parking.nearby import LatestCounts, ParkingAnswer, QueryOptions, latest_counts, nearby
from parking.persistence import load_model

log = logging.getLogger(__name__)

Signature = tuple[int, int, int]  # mtime_ns, size, inode of the model file


class ParkingUnavailable(RuntimeError):
    """No parking model is loaded; the message says why."""


def file_signature(path: Path) -> Signature | None:
    """What identifies a version of the file (None when it does not exist or cannot be read)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


class ParkingService:
    """Answers parking queries from a model file and the database's latest counts."""

    def __init__(
        self,
        model: ParkingModel | None,
        why_missing: str = "",
        refresh_s: float = 30.0,
        path: Path | None = None,
        signature: Signature | None = None,
    ) -> None:
        self.model = model
        self.why_missing = why_missing
        self.refresh_s = refresh_s
        self.path = path
        self.signature = signature  # of the file the served model was loaded from
        self.rejected: Signature | None = None  # the last file version that did not load
        self.reloads = 0
        self._obs: list[ParkingObservation] | None = None
        self._latest: tuple[ParkingModel, LatestCounts] | None = None
        self._fetched = -1e18
        self._lock = asyncio.Lock()
        self._reload_lock = asyncio.Lock()
        self._watcher: asyncio.Task[None] | None = None

    @classmethod
    def from_file(cls, path: Path | None, refresh_s: float = 30.0) -> ParkingService:
        """Load ``path``; a missing or unreadable file leaves the service unavailable (until
        :meth:`reload_if_changed` finds a good one there)."""
        if path is None:
            return cls(None, "no parking model configured", refresh_s)
        path = Path(path)
        signature = file_signature(path)
        try:
            return cls(load_model(path), "", refresh_s, path, signature)
        except Exception as e:  # missing, truncated or not a model: serve without one
            log.warning("parking model not loaded: %s", e)
            service = cls(None, f"parking model not available ({path.name})", refresh_s, path)
            service.rejected = signature
            return service

    def require(self) -> ParkingModel:
        if self.model is None:
            raise ParkingUnavailable(self.why_missing)
        return self.model

    async def reload_if_changed(self) -> bool:
        """Load the model file again if it changed since the served model (or the last rejected
        version) was read; True when a new model now serves. A file that does not load leaves
        the served model in place and logs a warning (once per file version)."""
        if self.path is None:
            return False
        async with self._reload_lock:
            signature = await asyncio.to_thread(file_signature, self.path)
            if signature is None or signature in (self.signature, self.rejected):
                return False
            try:
                model = await asyncio.to_thread(load_model, self.path)
            except Exception as e:  # ModelFileError, a truncated zip, bad arrays: all the same
                self.rejected = signature
                log.warning(
                    "parking model file changed but did not load; still serving the %s: %s",
                    "previous model" if self.model is not None else "no model",
                    e,
                )
                return False
            if file_signature(self.path) != signature:  # replaced while we read: next time
                return False
            self.model, self.signature, self.rejected = model, signature, None
            self.reloads += 1
            log.info(
                "parking model reloaded from %s (trained up to %s)",
                self.path,
                model.meta.get("train_end", "?"),
            )
            return True

    async def watch(self, every_s: float) -> None:
        """Check the file every ``every_s`` seconds until cancelled (the application's task)."""
        if every_s <= 0:
            raise ValueError("every_s must be positive.")
        while True:
            await asyncio.sleep(every_s)
            try:
                await self.reload_if_changed()
            except Exception:  # never let the watcher die: the next check tries again
                log.exception("checking the parking model file failed")

    def start_watching(self, every_s: float) -> None:
        """Run :meth:`watch` as a background task (nothing without a path or with 0 s)."""
        if self.path is not None and every_s > 0 and self._watcher is None:
            self._watcher = asyncio.get_running_loop().create_task(
                self.watch(every_s), name="parking-model-watch"
            )

    async def stop_watching(self) -> None:
        """Cancel the background task and wait for it."""
        task, self._watcher = self._watcher, None
        await stop_task(task)

    async def latest(self, pool: asyncpg.Pool, model: ParkingModel | None = None) -> LatestCounts:
        """Latest counts for ``model`` (default: the served one), re-read from ``parking_state``
        at most every ``refresh_s`` seconds (a reloaded model reuses the counts read)."""
        model = model or self.require()
        cached = self._latest
        if cached is not None and cached[0] is model and not self._stale():
            return cached[1]
        async with self._lock:
            if self._stale():
                async with pool.acquire() as conn:
                    self._obs = await latest_observations(conn)
                self._fetched = time.monotonic()
                self._latest = None
            cached = self._latest
            if cached is None or cached[0] is not model:
                cached = (model, latest_counts(model, self._obs or []))
                self._latest = cached
            return cached[1]

    def _stale(self) -> bool:
        return self._obs is None or time.monotonic() - self._fetched > self.refresh_s

    async def query(
        self,
        pool: asyncpg.Pool,
        lon: float,
        lat: float,
        radius_m: float,
        at: datetime,
        options: QueryOptions,
    ) -> ParkingAnswer:
        """Ranked sites near (lon, lat) for arrival at ``at``, all from one model (a reload
        during the query takes effect at the next one)."""
        model = self.require()
        return nearby(model, lon, lat, radius_m, at, await self.latest(pool, model), options)
