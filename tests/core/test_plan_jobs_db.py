"""The plan-job queue in PostgreSQL: claiming, leases, fencing, attempts, reading, pruning."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import asyncpg
import pytest

from core.db.migrate import migrate
from core.db.plan_jobs import (
    claim,
    enqueue,
    fail,
    finish,
    get_job,
    heartbeat,
    prune_jobs,
    recent_jobs,
    release,
)

pytestmark = pytest.mark.integration
LEASE = timedelta(seconds=30)
PARAMS = {"plan_date": "2024-03-19", "tz": "UTC", "actor": "planner", "time_limit_s": 2}


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


async def _expire(conn: asyncpg.Connection, job_id: str) -> None:
    await conn.execute(
        "UPDATE plan_jobs SET lease_until = now() - interval '1 second' WHERE job_id = $1", job_id
    )


def test_enqueue_claim_heartbeat_finish(database: str) -> None:
    """A queued job is claimed once, its progress only grows, and it ends done with its result."""

    async def go() -> None:
        conn = await asyncpg.connect(database)
        try:
            job = await enqueue(conn, "plan", "planner", PARAMS)
            assert (job.status, job.attempts, job.params) == ("queued", 0, PARAMS)
            mine = await claim(conn, "w1", LEASE, 3)
            assert mine is not None and mine.job_id == job.job_id
            assert (mine.status, mine.attempts, mine.worker) == ("running", 1, "w1")
            assert await claim(conn, "w2", LEASE, 3) is None
            assert await heartbeat(conn, mine, 0.5, "solving", LEASE)
            assert await heartbeat(conn, mine, 0.3, "checking", LEASE)
            seen = await get_job(conn, job.job_id)
            assert seen is not None and (seen.progress, seen.message) == (0.5, "checking")
            assert await finish(conn, mine, {"plan_id": 7, "status": "accepted"})
            done = await get_job(conn, job.job_id)
            assert done is not None and done.status == "done" and done.progress == 1.0
            assert done.result == {"plan_id": 7, "status": "accepted"}
            assert done.finished_at is not None and done.lease_until is None
            assert not await heartbeat(conn, mine, 0.9, "late", LEASE)
        finally:
            await conn.close()

    run(go())


def test_get_is_scoped_to_the_owner_when_asked(database: str) -> None:
    """get_job with an owner finds only that owner's jobs; recent_jobs lists newest first."""

    async def go() -> None:
        conn = await asyncpg.connect(database)
        try:
            a = await enqueue(conn, "plan", "anna", PARAMS)
            b = await enqueue(conn, "replan", "bo", PARAMS)
            assert await get_job(conn, a.job_id, owner="bo") is None
            assert await get_job(conn, a.job_id, owner="anna") is not None
            assert await get_job(conn, "0123456789ab") is None
            assert [j.job_id for j in await recent_jobs(conn)] == [b.job_id, a.job_id]
            assert [j.job_id for j in await recent_jobs(conn, owner="anna")] == [a.job_id]
            with pytest.raises(ValueError):
                await enqueue(conn, "bake", "anna", PARAMS)
        finally:
            await conn.close()

    run(go())


def test_two_workers_never_claim_the_same_job(database: str) -> None:
    """Eight workers racing over six jobs: each job is claimed exactly once."""

    async def go() -> None:
        pool = await asyncpg.create_pool(database, min_size=8, max_size=8)
        assert pool is not None
        try:
            ids = {(await enqueue(pool, "plan", "planner", PARAMS)).job_id for _ in range(6)}

            async def worker(name: str) -> list[str]:
                got = []
                async with pool.acquire() as conn:
                    while (job := await claim(conn, name, LEASE, 3)) is not None:
                        got.append(job.job_id)
                return got

            claimed = await asyncio.gather(*(worker(f"w{i}") for i in range(8)))
            flat = [j for c in claimed for j in c]
            assert sorted(flat) == sorted(ids)
        finally:
            await pool.close()

    run(go())


def test_expired_lease_is_reclaimed_and_the_old_worker_is_fenced_off(database: str) -> None:
    """A running job whose worker went silent past its lease is taken by the next claim; the old
    worker's late writes change nothing."""

    async def go() -> None:
        conn = await asyncpg.connect(database)
        try:
            job = await enqueue(conn, "plan", "planner", PARAMS)
            dead = await claim(conn, "dead", LEASE, 3)
            assert dead is not None
            assert await claim(conn, "w2", LEASE, 3) is None  # lease still valid
            await _expire(conn, job.job_id)
            again = await claim(conn, "w2", LEASE, 3)
            assert again is not None and (again.worker, again.attempts) == ("w2", 2)
            assert "restarted" in again.message
            assert not await heartbeat(conn, dead, 0.9, "zombie", LEASE)
            assert not await finish(conn, dead, {"plan_id": 1})
            assert not await fail(conn, dead, "zombie")
            assert await finish(conn, again, {"plan_id": 2})
            stored = await get_job(conn, job.job_id)
            assert stored is not None and stored.result == {"plan_id": 2}
        finally:
            await conn.close()

    run(go())


def test_a_job_whose_workers_keep_dying_fails_after_max_attempts(database: str) -> None:
    """After max_attempts claims whose leases all expired, the job is failed, not retried."""

    async def go() -> None:
        conn = await asyncpg.connect(database)
        try:
            job = await enqueue(conn, "plan", "planner", PARAMS)
            for i in range(2):
                assert await claim(conn, f"w{i}", LEASE, 2) is not None
                await _expire(conn, job.job_id)
            assert await claim(conn, "w9", LEASE, 2) is None
            failed = await get_job(conn, job.job_id)
            assert failed is not None and failed.status == "failed"
            assert failed.error is not None and "2 attempts" in failed.error
        finally:
            await conn.close()

    run(go())


def test_release_requeues_without_counting_an_attempt(database: str) -> None:
    """A job given back by a stopping worker is queued again and claimed at once."""

    async def go() -> None:
        conn = await asyncpg.connect(database)
        try:
            job = await enqueue(conn, "plan", "planner", PARAMS)
            mine = await claim(conn, "w1", LEASE, 3)
            assert mine is not None and await release(conn, mine)
            back = await get_job(conn, job.job_id)
            assert back is not None and (back.status, back.attempts) == ("queued", 0)
            again = await claim(conn, "w2", LEASE, 3)
            assert again is not None and again.attempts == 1
            assert not await finish(conn, mine, {"plan_id": 1})
        finally:
            await conn.close()

    run(go())


def test_prune_deletes_old_finished_jobs_only(database: str) -> None:
    """Pruning deletes jobs finished before the cut-off, never queued or running ones."""

    async def go() -> None:
        conn = await asyncpg.connect(database)
        try:
            old = await enqueue(conn, "plan", "planner", PARAMS)
            mine = await claim(conn, "w1", LEASE, 3)
            assert mine is not None and await finish(conn, mine, {})
            await conn.execute(
                "UPDATE plan_jobs SET finished_at = now() - interval '40 days' WHERE job_id = $1",
                old.job_id,
            )
            waiting = await enqueue(conn, "plan", "planner", PARAMS)
            assert await prune_jobs(conn, timedelta(days=30)) == 1
            assert await get_job(conn, old.job_id) is None
            assert await get_job(conn, waiting.job_id) is not None
        finally:
            await conn.close()

    run(go())


def test_migration_is_idempotent(database: str) -> None:
    """Applying the plan-jobs migration's SQL again changes nothing and raises nothing."""
    from core.db.migrate import available

    sql = next(s for v, _, s in available() if v == 12)

    async def go() -> None:
        conn = await asyncpg.connect(database)
        try:
            await conn.execute(sql)
            assert await migrate(conn) == []
        finally:
            await conn.close()

    run(go())
