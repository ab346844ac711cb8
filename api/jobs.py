"""Plan jobs as the API sees them: enqueued in PostgreSQL (:mod:`core.db.plan_jobs`) and run by
a plan worker (:mod:`routing.planning.worker`), in this process (``CITYOPS_PLAN_WORKER=inline``,
the default: the demo and tests need no other process) or in ``city-plan-worker`` processes
(``external``: the API only enqueues). Either way a job outlives the API process that took it."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from pathlib import Path

import asyncpg

from core.db.plan_jobs import PlanJob, enqueue, get_job
from core.settings import Settings
from routing.planning.job_params import PlanJobParams
from routing.planning.worker import PlanWorker, WorkerConfig

log = logging.getLogger(__name__)

Job = PlanJob  # what the pages and the JSON show of a job


class PlanJobs:
    """Enqueues and reads plan jobs; owns the in-process worker when there is one."""

    def __init__(self, pool: asyncpg.Pool, worker: PlanWorker | None = None) -> None:
        self.pool = pool
        self.worker = worker
        self._task: asyncio.Task[None] | None = None

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        pool: asyncpg.Pool,
        dsn: str,
        osm_files: tuple[Path, ...],
        cache_dir: Path,
    ) -> PlanJobs:
        """Jobs on ``pool``, with an in-process worker planning on ``dsn`` when
        ``settings.plan_worker`` is ``inline``."""
        if settings.plan_worker != "inline":
            return cls(pool)
        from routing.planning.job_run import PlanContext, plan_executor  # the solvers: lazily

        config = WorkerConfig(
            lease=timedelta(seconds=settings.plan_job_lease_s),
            max_attempts=settings.plan_job_max_attempts,
            concurrency=settings.plan_worker_concurrency,
        )
        execute = plan_executor(PlanContext(dsn, osm_files, cache_dir))
        return cls(pool, PlanWorker(pool, execute, config))

    def start(self) -> None:
        """Start the in-process worker, if any, as a background task."""
        if self.worker is not None and self._task is None:
            self._task = asyncio.get_running_loop().create_task(self.worker.run())

    async def stop(self) -> None:
        """Stop the in-process worker: a job it is running goes back to the queue, for the next
        worker (this API after a restart, or another one) to run."""
        if self.worker is None or self._task is None:
            return
        self.worker.stop()
        try:
            await asyncio.wait_for(self._task, 30)
        except Exception:  # never block shutdown: an unfinished job's lease expires instead
            log.exception("plan worker did not stop cleanly")
            self._task.cancel()
        self._task = None

    async def submit(self, params: PlanJobParams) -> Job:
        """Enqueue a plan job for ``params.actor``; the worker is told at once."""
        job = await enqueue(self.pool, params.kind, params.actor, params.to_json())
        if self.worker is not None:
            self.worker.wake()
        return job

    async def get(self, job_id: str) -> Job | None:
        """The job ``job_id`` (any planner may follow any plan job, as plans are shared)."""
        return await get_job(self.pool, job_id)
