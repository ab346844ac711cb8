"""The plan worker: claims plan jobs from the queue in PostgreSQL (:mod:`core.db.plan_jobs`) and
runs them, writing their progress back (throttled) and extending its lease while they run.

It runs in the API's process (``CITYOPS_PLAN_WORKER=inline``: the demo, tests) or alone as
``city-plan-worker`` (``external``: the API only enqueues). :meth:`PlanWorker.stop` stops
claiming; a job still running after the grace period is given back to the queue, so the next
worker (after a restart, or another one) runs it. A worker that dies without that loses its
lease, and the next claim anywhere takes the job again (bounded attempts)."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import asyncpg

from core.db.plan_jobs import PlanJob, claim, fail, finish, heartbeat, prune_jobs, release
from routing.planning.job_params import Progress

log = logging.getLogger(__name__)

Executor = Callable[[PlanJob, Progress], Coroutine[Any, Any, dict[str, Any]]]
_DB_ERRORS = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError)


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    """How a worker claims and reports: ``lease`` (a job whose worker is silent this long is
    taken again), ``max_attempts`` claims per job, ``poll_s`` between looks at an empty queue,
    ``progress_s`` between progress writes, ``concurrency`` jobs at a time, ``grace_s`` a
    running job gets to finish after :meth:`PlanWorker.stop`, finished jobs kept ``keep``."""

    lease: timedelta = timedelta(seconds=60)
    max_attempts: int = 3
    poll_s: float = 1.0
    progress_s: float = 0.5
    concurrency: int = 1
    grace_s: float = 0.0
    keep: timedelta = timedelta(days=30)

    def __post_init__(self) -> None:
        if self.lease <= timedelta(seconds=0.1):
            raise ValueError("lease must be longer than 0.1 s.")
        if self.max_attempts < 1 or self.concurrency < 1:
            raise ValueError("max_attempts and concurrency must be at least 1.")
        if self.poll_s <= 0 or self.progress_s <= 0 or self.grace_s < 0:
            raise ValueError("poll_s and progress_s must be positive, grace_s not negative.")


def worker_id() -> str:
    """A name for this worker in ``plan_jobs.worker``: host, process and a nonce."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class PlanWorker:
    """Claims and runs plan jobs with ``execute`` until stopped (see the module doc)."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        execute: Executor,
        config: WorkerConfig | None = None,
        name: str | None = None,
    ) -> None:
        self.pool = pool
        self.execute = execute
        self.config = config or WorkerConfig()
        self.name = name or worker_id()
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._stop_at = 0.0

    def wake(self) -> None:
        """A job was enqueued: look now instead of at the next poll."""
        self._wake.set()

    def stop(self) -> None:
        """Stop claiming; running jobs get ``grace_s`` to finish, then go back to the queue."""
        if not self._stopping.is_set():
            self._stop_at = time.monotonic()
            self._stopping.set()
            self._wake.set()

    async def run(self) -> None:
        """Claim and run jobs (``concurrency`` at a time) until :meth:`stop`."""
        log.info("plan worker %s started", self.name)
        slots = [self._slot() for _ in range(self.config.concurrency)]
        await asyncio.gather(self._housekeeping(), *slots)
        log.info("plan worker %s stopped", self.name)

    async def run_one(self) -> bool:
        """Claim one job and run it to its end; False when the queue had none."""
        async with self.pool.acquire() as conn:
            job = await claim(conn, self.name, self.config.lease, self.config.max_attempts)
        if job is None:
            return False
        await self._run(job)
        return True

    async def _slot(self) -> None:
        backoff = self.config.poll_s
        while not self._stopping.is_set():
            try:
                ran = await self.run_one()
                backoff = self.config.poll_s
            except _DB_ERRORS as e:
                log.warning("plan worker: queue unreachable (%s); retrying", type(e).__name__)
                ran, backoff = False, min(30.0, backoff * 2)
            if not ran and not self._stopping.is_set():  # no await between check and clear
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), backoff)
                except TimeoutError:
                    pass

    async def _housekeeping(self) -> None:
        while not self._stopping.is_set():
            try:
                gone = await prune_jobs(self.pool, self.config.keep)
                if gone:
                    log.info("plan worker: deleted %d finished jobs", gone)
            except _DB_ERRORS as e:
                log.warning("plan worker: pruning failed (%s)", type(e).__name__)
            try:
                await asyncio.wait_for(self._stopping.wait(), 3600)
            except TimeoutError:
                pass

    async def _run(self, job: PlanJob) -> None:
        log.info("plan job %s (%s) attempt %d started", job.job_id, job.kind, job.attempts)
        latest: list[Any] = [job.progress, job.message or "starting"]

        def report(fraction: float, message: str) -> None:  # from any thread
            latest[:] = [max(latest[0], min(1.0, max(0.0, float(fraction)))), message]

        task = asyncio.create_task(self.execute(job, report))
        written: tuple[float, str] | None = None
        beat = time.monotonic()
        while not task.done():
            await asyncio.wait({task}, timeout=self.config.progress_s)
            if task.done():
                break
            if self._stopping.is_set() and time.monotonic() >= self._stop_at + self.config.grace_s:
                await self._give_back(job, task)
                return
            now = (float(latest[0]), str(latest[1]))
            if now == written and time.monotonic() - beat < self.config.lease.total_seconds() / 3:
                continue
            try:
                mine = await heartbeat(self.pool, job, now[0], now[1], self.config.lease)
            except _DB_ERRORS as e:
                log.warning("plan job %s: heartbeat failed (%s)", job.job_id, type(e).__name__)
                continue
            if not mine:
                log.warning("plan job %s: lease lost to another worker; abandoned", job.job_id)
                await _cancel(task)
                return
            written, beat = now, time.monotonic()
        await self._record(job, task)

    async def _record(self, job: PlanJob, task: asyncio.Task[dict[str, Any]]) -> None:
        try:
            result = task.result()
        except Exception as e:  # a failed job reports why; the worker keeps running
            log.exception("plan job %s (%s) failed", job.job_id, job.kind)
            mine = await fail(self.pool, job, f"{type(e).__name__}: {e}")
        else:
            mine = await finish(self.pool, job, result)
            log.info("plan job %s done", job.job_id)
        if not mine:
            log.warning("plan job %s was taken by another worker meanwhile", job.job_id)

    async def _give_back(self, job: PlanJob, task: asyncio.Task[dict[str, Any]]) -> None:
        await _cancel(task)
        try:
            await release(self.pool, job)
            log.info("plan job %s given back to the queue (worker stopping)", job.job_id)
        except _DB_ERRORS as e:  # its lease expires instead
            log.warning("plan job %s: release failed (%s)", job.job_id, type(e).__name__)


async def _cancel(task: asyncio.Task[Any]) -> None:
    task.cancel()
    try:
        await task
    except (asyncio.CancelledError, Exception):
        pass
