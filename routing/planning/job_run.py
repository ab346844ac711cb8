"""Running one plan job from its stored parameters (adapter: the planning services, which read
and write PostgreSQL, and the OSM files): what the worker executes, in whatever process."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.db.plan_jobs import PlanJob
from routing.network.graph import RoadNetwork
from routing.planning.day_problem import DayConfig
from routing.planning.job_params import PLAN_STEPS, PlanJobParams, Progress, StepProgress
from routing.planning.plan_service import PlanRejected, PlanRequest, load_network, plan_day
from routing.planning.replan_service import REPLAN_STEPS, ReplanRequest, replan_day


@dataclass
class PlanContext:
    """What a worker brings to every job: the database, the city's OSM extracts (the road
    network is built once, on the first job) and the travel-matrix cache directory."""

    dsn: str
    osm_files: tuple[Path, ...]
    cache_dir: Path
    _net: RoadNetwork | None = field(default=None, repr=False)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, repr=False)

    async def network(self) -> RoadNetwork:
        """The road network, built once per context (a few seconds, in a thread)."""
        async with self._lock:
            if self._net is None:
                if not self.osm_files:
                    raise ValueError("no OSM data configured for planning")
                self._net = await asyncio.to_thread(load_network, self.osm_files)
            return self._net


async def run_plan_job(
    ctx: PlanContext, params: PlanJobParams, progress: Progress
) -> dict[str, Any]:
    """Plan or re-plan as ``params`` say and store the plan; returns the job's result (plan id,
    status, totals and what was forced or re-planned). A plan the checker rejected is a result
    too (status ``rejected`` with its violations). The solver runs in a thread with its own
    event loop, so the caller's loop keeps answering (and heartbeating)."""
    progress(0.01, "loading the road network")
    net = await ctx.network()
    steps = StepProgress(
        REPLAN_STEPS if params.replan else PLAN_STEPS, params.time_limit_s, progress
    )
    try:
        if params.replan:
            rreq = ReplanRequest(
                params.plan_date,
                now=params.now,
                time_limit_s=params.time_limit_s,
                engine=params.engine,
                exclude=params.exclude,
            )
            run = replan_day(
                ctx.dsn, rreq, net, ctx.cache_dir, steps.step, steps.on_solution, actor=params.actor
            )
        else:
            req = PlanRequest(
                params.plan_date,
                time_limit_s=params.time_limit_s,
                engine=params.engine,
                include=params.include,
                exclude=params.exclude,
                config=DayConfig(params.tz),
            )
            run = plan_day(ctx.dsn, req, net, ctx.cache_dir, steps.step, steps.on_solution)
        plan = await asyncio.to_thread(asyncio.run, run)
    except PlanRejected as e:
        return {"plan_id": e.plan_id, "status": "rejected", "violations": list(e.plan.violations)}
    result: dict[str, Any] = {
        "plan_id": plan.plan_id,
        "status": plan.status,
        "totals": plan.totals.to_json(),
        "excluded": len(params.exclude),
        "included": 0 if params.replan else len(params.include),
    }
    if params.replan:
        result.update(
            replan_of=plan.inputs["replan_of"],
            replanned_at=plan.inputs["replanned_at"],
            emptied=len(plan.inputs["emptied"]),
            truck_starts={s["vehicle_id"]: s["source"] for s in plan.inputs["truck_starts"]},
        )
    return result


def plan_executor(
    ctx: PlanContext,
) -> Callable[[PlanJob, Progress], Coroutine[Any, Any, dict[str, Any]]]:
    """What a :class:`~routing.planning.worker.PlanWorker` executes: a stored job, its
    parameters rebuilt from ``job.params``, run in ``ctx``."""

    async def execute(job: PlanJob, progress: Progress) -> dict[str, Any]:
        return await run_plan_job(ctx, PlanJobParams.from_json(job.params), progress)

    return execute
