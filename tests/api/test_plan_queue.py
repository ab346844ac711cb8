"""Plan jobs through the queue in PostgreSQL: a worker runs them, they survive an API restart,
a dead worker's job is taken again, a stopping worker gives its job back, and the separate
``city-plan-worker`` process runs what the API enqueued and stops on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.db.plan_jobs import PlanJob, claim, enqueue, get_job
from routing.planning.job_params import Progress
from routing.planning.worker import PlanWorker, WorkerConfig
from tests.api.conftest import Seed, login
from tests.api.conftest import test_settings as api_settings

pytestmark = pytest.mark.integration
FAST = WorkerConfig(lease=timedelta(seconds=1), poll_s=0.05, progress_s=0.05)
PARAMS = {"plan_date": "2024-03-19", "tz": "UTC", "actor": "planner", "time_limit_s": 2}


async def _pool(dsn: str) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=4)
    assert pool is not None
    return pool


async def _stored(pool: asyncpg.Pool, job_id: str) -> PlanJob:
    job = await get_job(pool, job_id)
    assert job is not None
    return job


def test_worker_runs_a_queued_job_with_progress(database: str) -> None:
    """An enqueued job is run by the worker from its stored params; progress is written while it
    runs and the result is kept when it is done."""
    seen: list[float] = []

    async def go() -> PlanJob:
        pool = await _pool(database)

        async def execute(job: PlanJob, progress: Progress) -> dict[str, Any]:
            for k in range(1, 4):
                progress(k / 4, f"step {k}")
                await asyncio.sleep(0.15)
                seen.append((await _stored(pool, job.job_id)).progress)
            return {"plan_id": 42, "date": job.params["plan_date"]}

        try:
            job = await enqueue(pool, "plan", "planner", PARAMS)
            assert await PlanWorker(pool, execute, FAST).run_one()
            assert not await PlanWorker(pool, execute, FAST).run_one()  # queue empty
            return await _stored(pool, job.job_id)
        finally:
            await pool.close()

    done = asyncio.run(go())
    assert done.status == "done" and done.result == {"plan_id": 42, "date": "2024-03-19"}
    assert seen == sorted(seen) and seen[-1] >= 0.5
    assert done.progress == 1.0 and done.attempts == 1


def test_a_failing_job_is_failed_with_its_reason(database: str) -> None:
    """A job whose work raises ends failed with the error; the worker carries on."""

    async def execute(job: PlanJob, progress: Progress) -> dict[str, Any]:
        raise ValueError("no OSM data configured for planning")

    async def go() -> PlanJob:
        pool = await _pool(database)
        try:
            job = await enqueue(pool, "plan", "planner", PARAMS)
            assert await PlanWorker(pool, execute, FAST).run_one()
            return await _stored(pool, job.job_id)
        finally:
            await pool.close()

    failed = asyncio.run(go())
    assert failed.status == "failed" and failed.error == (
        "ValueError: no OSM data configured for planning"
    )


def test_two_workers_run_each_job_once(database: str) -> None:
    """Two workers sharing the queue run every job exactly once between them."""
    ran: list[tuple[str, str]] = []

    async def go() -> list[PlanJob]:
        pool = await _pool(database)
        workers: list[PlanWorker] = []

        async def execute(job: PlanJob, progress: Progress) -> dict[str, Any]:
            ran.append((job.job_id, str(job.worker)))
            await asyncio.sleep(0.05)
            return {}

        try:
            jobs = [await enqueue(pool, "plan", "planner", PARAMS) for _ in range(6)]
            workers = [PlanWorker(pool, execute, FAST, name=f"w{i}") for i in range(2)]
            tasks = [asyncio.create_task(w.run()) for w in workers]
            while [(await _stored(pool, j.job_id)).status for j in jobs] != ["done"] * 6:
                await asyncio.sleep(0.05)
            for w in workers:
                w.stop()
            await asyncio.wait_for(asyncio.gather(*tasks), 5)
            return [await _stored(pool, j.job_id) for j in jobs]
        finally:
            await pool.close()

    done = asyncio.run(go())
    assert sorted(j for j, _ in ran) == sorted(j.job_id for j in done)
    assert {j.status for j in done} == {"done"} and {j.attempts for j in done} == {1}


def test_a_dead_workers_job_is_taken_again_after_its_lease(database: str) -> None:
    """A job claimed by a worker that died (no heartbeat) is run by another worker once the
    lease expired, as a second attempt."""

    async def execute(job: PlanJob, progress: Progress) -> dict[str, Any]:
        return {"plan_id": 1}

    async def go() -> PlanJob:
        pool = await _pool(database)
        try:
            job = await enqueue(pool, "plan", "planner", PARAMS)
            async with pool.acquire() as conn:
                assert await claim(conn, "died", timedelta(seconds=0.3), 3) is not None
            worker = PlanWorker(pool, execute, FAST)
            assert not await worker.run_one()  # still leased to the dead worker
            await asyncio.sleep(0.5)
            assert await worker.run_one()
            return await _stored(pool, job.job_id)
        finally:
            await pool.close()

    done = asyncio.run(go())
    assert done.status == "done" and done.attempts == 2 and done.worker != "died"


def test_a_worker_that_lost_its_lease_abandons_the_job(database: str) -> None:
    """When another worker took the job meanwhile, the first one stops it and writes nothing."""
    started = asyncio.Event()

    async def slow(job: PlanJob, progress: Progress) -> dict[str, Any]:
        started.set()
        await asyncio.sleep(30)
        return {"plan_id": 1}

    async def go() -> PlanJob:
        pool = await _pool(database)
        try:
            job = await enqueue(pool, "plan", "planner", PARAMS)
            first = asyncio.create_task(PlanWorker(pool, slow, FAST, name="first").run_one())
            await started.wait()
            async with pool.acquire() as conn, conn.transaction():  # as if "first" were silent
                await conn.execute("UPDATE plan_jobs SET lease_until = now() - interval '1 s'")
                assert await claim(conn, "second", FAST.lease, 3) is not None
            assert await asyncio.wait_for(first, 5)
            return await _stored(pool, job.job_id)
        finally:
            await pool.close()

    job = asyncio.run(go())
    assert (job.status, job.worker, job.result) == ("running", "second", None)


def test_a_stopping_worker_gives_its_job_back(database: str) -> None:
    """stop() ends the worker; the job it was running is queued again for the next worker."""
    started = asyncio.Event()

    async def slow(job: PlanJob, progress: Progress) -> dict[str, Any]:
        started.set()
        await asyncio.sleep(30)
        return {}

    async def go() -> PlanJob:
        pool = await _pool(database)
        try:
            job = await enqueue(pool, "plan", "planner", PARAMS)
            worker = PlanWorker(pool, slow, FAST)
            running = asyncio.create_task(worker.run())
            await started.wait()
            worker.stop()
            await asyncio.wait_for(running, 5)
            return await _stored(pool, job.job_id)
        finally:
            await pool.close()

    job = asyncio.run(go())
    assert (job.status, job.attempts, job.worker) == ("queued", 0, None)


def _poll(client: TestClient, job_id: str, h: dict[str, str], until: float) -> dict[str, Any]:
    deadline = time.monotonic() + until
    while True:
        j: dict[str, Any] = client.get(f"/planner/jobs/{job_id}", headers=h).json()
        if j["status"] in ("done", "failed") or time.monotonic() > deadline:
            return j
        time.sleep(0.3)


@pytest.mark.slow
def test_a_job_survives_an_api_restart(
    seeded: Seed, parking_model_file: Path, tmp_path: Path
) -> None:
    """A plan job enqueued by an API that only enqueues (external worker) and then stops is run
    by the next API's in-process worker, and is pollable there until done."""
    settings = api_settings(tmp_path)
    kw: dict[str, Any] = {"parking_model_path": parking_model_file}
    first = create_app(settings.model_copy(update={"plan_worker": "external"}), seeded.dsn, **kw)
    with TestClient(first) as c:
        h = login(c, "planner")
        r = c.post("/planner/plans", json={"plan_date": "2024-03-19", "time_limit_s": 2}, headers=h)
        assert r.status_code == 202
        job_id = r.json()["job_id"]
        assert _poll(c, job_id, h, 1.0)["status"] == "queued"  # nobody runs it here
    with TestClient(create_app(settings, seeded.dsn, **kw)) as c:
        j = _poll(c, job_id, login(c, "planner"), 240)
    assert j["status"] == "done", j
    assert j["result"]["plan_id"] > seeded.plan_id and j["progress"] == 1.0


@pytest.mark.slow
def test_city_plan_worker_runs_what_the_api_enqueued_and_stops_on_sigterm(
    seeded: Seed, parking_model_file: Path, tmp_path: Path
) -> None:
    """With CITYOPS_PLAN_WORKER=external the API only enqueues; a city-plan-worker process runs
    the job to done, and exits 0 on SIGTERM."""
    settings = api_settings(tmp_path).model_copy(update={"plan_worker": "external"})
    app = create_app(settings, seeded.dsn, parking_model_path=parking_model_file)
    env = {**os.environ, "DATABASE_URL": seeded.dsn, "CITYOPS_STATE_DIR": str(tmp_path)}
    exe = Path(sys.executable).parent / "city-plan-worker"
    proc = subprocess.Popen(
        [str(exe), "--grace-s", "0"], env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        with TestClient(app) as c:
            h = login(c, "planner")
            body = {"plan_date": "2024-03-19", "time_limit_s": 2}
            r = c.post("/planner/plans", json=body, headers=h)
            j = _poll(c, r.json()["job_id"], h, 240)
        assert j["status"] == "done", j
        assert j["result"]["plan_id"] > seeded.plan_id
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        _, err = proc.communicate(timeout=10)
    assert "plan worker" in err and "stopped" in err
