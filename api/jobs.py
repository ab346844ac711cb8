"""Background jobs with pollable progress (plan generation), kept in the process's memory."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]


@dataclass
class Job:
    """One job; ``progress`` runs from 0 to 1."""

    job_id: str
    kind: str
    owner: str
    status: str = "queued"  # queued | running | done | failed
    progress: float = 0.0
    message: str = ""
    result: dict[str, Any] | None = None
    error: str | None = None
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished_at: datetime | None = None

    def report(self, fraction: float, message: str) -> None:
        """Progress callback (callable from any thread)."""
        self.progress = max(self.progress, min(1.0, max(0.0, float(fraction))))
        self.message = message


class JobRegistry:
    """Runs jobs as asyncio tasks; keeps the latest ``keep`` of them for polling."""

    def __init__(self, keep: int = 200) -> None:
        self.keep = keep
        self._jobs: dict[str, Job] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def submit(
        self, kind: str, owner: str, work: Callable[[Progress], Awaitable[dict[str, Any]]]
    ) -> Job:
        """Start ``work(progress)`` in the background; its result dict is kept on the job."""
        job = Job(uuid.uuid4().hex[:12], kind, owner)
        self._jobs[job.job_id] = job
        while len(self._jobs) > self.keep:
            del self._jobs[next(iter(self._jobs))]
        task = asyncio.get_running_loop().create_task(self._run(job, work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return job

    async def _run(self, job: Job, work: Callable[[Progress], Awaitable[dict[str, Any]]]) -> None:
        job.status = "running"
        try:
            job.result = await work(job.report)
            job.status, job.progress = "done", 1.0
        except Exception as e:  # a failed job reports why; the server keeps running
            log.exception("job %s (%s) failed", job.job_id, job.kind)
            job.status, job.error = "failed", f"{type(e).__name__}: {e}"
        finally:
            job.finished_at = datetime.now(UTC)

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    async def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            try:
                await task
            except (asyncio.CancelledError, Exception):
                pass
