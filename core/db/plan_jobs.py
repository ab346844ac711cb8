"""The plan-job queue in PostgreSQL (migration 0012): enqueue, claim, heartbeat, finish, read.

A worker claims the oldest queued job (``FOR UPDATE SKIP LOCKED``: two workers never take the
same row) or a running one whose lease expired (its worker died), holds it under a lease its
heartbeats extend, and finishes it. Every write of a worker is fenced by ``(worker, attempt)``:
once a job was taken again, the old worker's writes change nothing and tell it so (``False``).
Times are the database's clock, so workers on other machines agree on leases."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import asyncpg

KINDS = ("plan", "replan")
STATUSES = ("queued", "running", "done", "failed")
_COLUMNS = (
    "job_id, kind, owner, params, status, progress, message, result, error, attempts, worker,"
    " created_at, started_at, heartbeat_at, lease_until, finished_at"
)


@dataclass(frozen=True, slots=True)
class PlanJob:
    """One plan job as stored; ``progress`` runs from 0 to 1, ``attempts`` counts claims."""

    job_id: str
    kind: str
    owner: str
    params: dict[str, Any]
    status: str
    progress: float
    message: str
    result: dict[str, Any] | None
    error: str | None
    attempts: int
    worker: str | None
    created_at: datetime
    started_at: datetime | None
    heartbeat_at: datetime | None
    lease_until: datetime | None
    finished_at: datetime | None


def _job(row: asyncpg.Record) -> PlanJob:
    values = dict(row)
    values["params"] = json.loads(values["params"])
    values["result"] = None if values["result"] is None else json.loads(values["result"])
    return PlanJob(**values)


async def enqueue(
    conn: asyncpg.Connection | asyncpg.Pool, kind: str, owner: str, params: Mapping[str, Any]
) -> PlanJob:
    """Store a new queued job of ``kind`` for ``owner`` with JSON ``params``; returns it."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}.")
    if not owner:
        raise ValueError("owner must be given.")
    row = await conn.fetchrow(
        f"INSERT INTO plan_jobs (job_id, kind, owner, params) VALUES ($1, $2, $3, $4::jsonb)"
        f" RETURNING {_COLUMNS}",
        uuid.uuid4().hex,
        kind,
        owner,
        json.dumps(dict(params)),
    )
    assert row is not None
    return _job(row)


async def claim(
    conn: asyncpg.Connection, worker: str, lease: timedelta, max_attempts: int
) -> PlanJob | None:
    """Take the oldest job that is queued, or running with an expired lease and fewer than
    ``max_attempts`` claims, for ``worker`` under a fresh ``lease``; None when there is none.
    Running jobs whose lease expired after ``max_attempts`` claims are marked failed first."""
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1.")
    if lease <= timedelta(0):
        raise ValueError("lease must be positive.")
    async with conn.transaction():
        await conn.execute(
            "UPDATE plan_jobs SET status = 'failed', finished_at = now(), lease_until = NULL,"
            " error = format('its worker stopped answering (%s attempts)', attempts)"
            " WHERE status = 'running' AND lease_until < now() AND attempts >= $1",
            max_attempts,
        )
        row = await conn.fetchrow(
            "WITH next AS (SELECT job_id FROM plan_jobs"
            "  WHERE status = 'queued'"
            "     OR (status = 'running' AND lease_until < now() AND attempts < $3)"
            "  ORDER BY created_at, job_id LIMIT 1 FOR UPDATE SKIP LOCKED)"
            " UPDATE plan_jobs j SET status = 'running', attempts = j.attempts + 1, worker = $1,"
            "  started_at = now(), heartbeat_at = now(), lease_until = now() + $2::interval,"
            "  message = CASE WHEN j.status = 'running'"
            "   THEN 'restarted: its worker stopped answering' ELSE j.message END"
            f" FROM next WHERE j.job_id = next.job_id RETURNING {_job_columns('j')}",
            worker,
            lease,
            max_attempts,
        )
    return None if row is None else _job(row)


def _job_columns(alias: str) -> str:
    return ", ".join(f"{alias}.{c.strip()}" for c in _COLUMNS.split(","))


async def heartbeat(
    conn: asyncpg.Connection | asyncpg.Pool,
    job: PlanJob,
    progress: float,
    message: str,
    lease: timedelta,
) -> bool:
    """Record ``progress`` (never lowered) and ``message``, extend the lease; False when the job
    is no longer this run's (taken again after the lease expired, or finished)."""
    frac = min(1.0, max(0.0, float(progress)))
    row = await conn.fetchval(
        "UPDATE plan_jobs SET progress = GREATEST(progress, $4), message = $5,"
        " heartbeat_at = now(), lease_until = now() + $6::interval"
        " WHERE job_id = $1 AND status = 'running' AND worker = $2 AND attempts = $3"
        " RETURNING 1",
        job.job_id,
        job.worker,
        job.attempts,
        frac,
        message,
        lease,
    )
    return row is not None


async def finish(
    conn: asyncpg.Connection | asyncpg.Pool, job: PlanJob, result: Mapping[str, Any]
) -> bool:
    """Mark this run of ``job`` done with its JSON ``result``; False when no longer its run."""
    row = await conn.fetchval(
        "UPDATE plan_jobs SET status = 'done', progress = 1, result = $4::jsonb,"
        " finished_at = now(), lease_until = NULL"
        " WHERE job_id = $1 AND status = 'running' AND worker = $2 AND attempts = $3"
        " RETURNING 1",
        job.job_id,
        job.worker,
        job.attempts,
        json.dumps(dict(result), default=str),
    )
    return row is not None


async def fail(conn: asyncpg.Connection | asyncpg.Pool, job: PlanJob, error: str) -> bool:
    """Mark this run of ``job`` failed, saying why; False when no longer its run."""
    row = await conn.fetchval(
        "UPDATE plan_jobs SET status = 'failed', error = $4, finished_at = now(),"
        " lease_until = NULL"
        " WHERE job_id = $1 AND status = 'running' AND worker = $2 AND attempts = $3"
        " RETURNING 1",
        job.job_id,
        job.worker,
        job.attempts,
        error[:2000],
    )
    return row is not None


async def release(conn: asyncpg.Connection | asyncpg.Pool, job: PlanJob) -> bool:
    """Give this run of ``job`` back to the queue (its worker is stopping): the next claim takes
    it at once; the attempt does not count. False when no longer its run."""
    row = await conn.fetchval(
        "UPDATE plan_jobs SET status = 'queued', attempts = GREATEST(attempts - 1, 0),"
        " worker = NULL, lease_until = NULL, heartbeat_at = NULL,"
        " message = 'waiting for a worker (the previous one stopped)'"
        " WHERE job_id = $1 AND status = 'running' AND worker = $2 AND attempts = $3"
        " RETURNING 1",
        job.job_id,
        job.worker,
        job.attempts,
    )
    return row is not None


async def get_job(
    conn: asyncpg.Connection | asyncpg.Pool, job_id: str, owner: str | None = None
) -> PlanJob | None:
    """The job ``job_id`` (only if ``owner`` asked for it, when given); None when unknown."""
    row = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM plan_jobs WHERE job_id = $1 AND ($2::text IS NULL OR owner = $2)",
        job_id,
        owner,
    )
    return None if row is None else _job(row)


async def recent_jobs(
    conn: asyncpg.Connection | asyncpg.Pool, limit: int = 50, owner: str | None = None
) -> list[PlanJob]:
    """The newest jobs first (of ``owner`` only, when given)."""
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM plan_jobs WHERE ($2::text IS NULL OR owner = $2)"
        " ORDER BY created_at DESC, job_id LIMIT $1",
        max(1, limit),
        owner,
    )
    return [_job(r) for r in rows]


async def prune_jobs(conn: asyncpg.Connection | asyncpg.Pool, older_than: timedelta) -> int:
    """Delete finished jobs (done or failed) that finished more than ``older_than`` ago."""
    status = await conn.execute(
        "DELETE FROM plan_jobs WHERE status IN ('done', 'failed')"
        " AND finished_at < now() - $1::interval",
        older_than,
    )
    return int(status.split()[-1])
