"""``city-plan-worker``: run plan jobs from the queue in PostgreSQL until SIGTERM or Ctrl-C.

    city-plan-worker [--database-url DSN] [--concurrency N] [--grace-s S]

The API enqueues plan jobs (with ``CITYOPS_PLAN_WORKER=external`` it runs none itself); any
number of these workers, on any machines, share the queue: each job runs in one of them at a
time, and a job whose worker died is taken again when its lease expires. On SIGTERM the worker
stops claiming, lets a running job finish for ``--grace-s`` seconds, then gives it back to the
queue and exits 0. The database must be migrated (``city-db migrate``)."""

from __future__ import annotations

import argparse
import asyncio
import signal
from datetime import timedelta

import asyncpg

from core.cli import HelpFormatter, env_epilog
from core.logs import configure_logging
from core.metrics import start_metrics_server
from core.settings import Settings
from routing.planning.worker import PlanWorker, WorkerConfig


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="city-plan-worker",
        description=__doc__,
        formatter_class=HelpFormatter,
        epilog=env_epilog(
            "DATABASE_URL",
            "CITYOPS_CITY",
            "CITYOPS_DATA_DIR",
            "CITYOPS_STATE_DIR",
            "CITYOPS_PLAN_JOB_LEASE_S",
            "CITYOPS_PLAN_JOB_MAX_ATTEMPTS",
            "CITYOPS_PLAN_WORKER_CONCURRENCY",
            "CITYOPS_LOG_FORMAT",
            "CITYOPS_METRICS_PORT",
            note="DATABASE_URL (or --database-url) is required.",
        ),
    )
    p.add_argument("--database-url", default="", help="PostgreSQL DSN (default: DATABASE_URL)")
    p.add_argument(
        "--concurrency",
        type=int,
        default=None,
        help="jobs at a time (default: CITYOPS_PLAN_WORKER_CONCURRENCY)",
    )
    p.add_argument(
        "--grace-s",
        type=float,
        default=30.0,
        help="seconds a running job may finish after SIGTERM before it goes back to the queue",
    )
    p.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING or ERROR")
    return p.parse_args(argv)


async def serve(settings: Settings, dsn: str, concurrency: int, grace_s: float) -> None:
    """Run a worker on ``dsn`` until SIGTERM/SIGINT (then stop gracefully)."""
    from routing.planning.job_run import PlanContext, plan_executor

    profile = settings.city_profile()
    ctx = PlanContext(dsn, profile.osm_files, settings.state_dir / "matrix-cache")
    config = WorkerConfig(
        lease=timedelta(seconds=settings.plan_job_lease_s),
        max_attempts=settings.plan_job_max_attempts,
        concurrency=concurrency,
        grace_s=grace_s,
    )
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=concurrency + 2)
    assert pool is not None
    try:
        worker = PlanWorker(pool, plan_executor(ctx), config)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, worker.stop)
        await worker.run()
    finally:
        await pool.close()


def main(argv: list[str] | None = None) -> None:
    a = parse_args(argv)
    settings = Settings()
    configure_logging(a.log_level.upper(), settings.log_format)
    dsn = a.database_url or settings.database_url.get_secret_value()
    if not dsn:
        raise SystemExit("give --database-url or set DATABASE_URL")
    if a.grace_s < 0 or (a.concurrency is not None and a.concurrency < 1):
        raise SystemExit("--grace-s must not be negative, --concurrency at least 1")
    concurrency = a.concurrency or settings.plan_worker_concurrency
    start_metrics_server(settings.metrics_port)  # plan durations, last accepted plan
    asyncio.run(serve(settings, dsn, concurrency, a.grace_s))


if __name__ == "__main__":
    main()
