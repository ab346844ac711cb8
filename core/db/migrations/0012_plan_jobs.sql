-- Plan jobs (issue 12): a durable queue in PostgreSQL, so plan generation runs in a worker apart
-- from the API and survives a restart of either (core/db/plan_jobs.py, routing/planning/worker.py).
--
-- A job is (kind, params): everything the worker needs to run it, as JSON; never a closure.
-- A worker claims the oldest queued job with FOR UPDATE SKIP LOCKED and holds it under a lease
-- (lease_until) that its heartbeats extend while it writes progress. A running job whose lease
-- has expired belongs to a worker that died: the next claim takes it again, up to a bounded
-- number of attempts, then marks it failed. Writes of a worker are fenced by (worker, attempts),
-- so a worker that lost its lease cannot overwrite the job's new run.
-- Idempotent (IF NOT EXISTS) like its neighbours' intent: safe to apply twice.

CREATE TABLE IF NOT EXISTS plan_jobs (
    job_id        text PRIMARY KEY CHECK (job_id ~ '^[0-9a-f]{12,32}$'),
    kind          text NOT NULL CHECK (kind IN ('plan', 'replan')),
    owner         text NOT NULL,                      -- the planner who asked (a user name)
    params        jsonb NOT NULL,                     -- routing/planning/job_params.py
    status        text NOT NULL DEFAULT 'queued'
                  CHECK (status IN ('queued', 'running', 'done', 'failed')),
    progress      double precision NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 1),
    message       text NOT NULL DEFAULT '',
    result        jsonb,
    error         text,
    attempts      integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    worker        text,                               -- who runs (ran) it: host:pid:nonce
    created_at    timestamptz NOT NULL DEFAULT now(),
    started_at    timestamptz,
    heartbeat_at  timestamptz,
    lease_until   timestamptz,
    finished_at   timestamptz
);

CREATE INDEX IF NOT EXISTS plan_jobs_queued ON plan_jobs (created_at) WHERE status = 'queued';
CREATE INDEX IF NOT EXISTS plan_jobs_leases ON plan_jobs (lease_until) WHERE status = 'running';
CREATE INDEX IF NOT EXISTS plan_jobs_recent ON plan_jobs (created_at DESC);
