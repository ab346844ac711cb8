"""Planners: proof of service of a plan from the trucks' GPS (compute, read, bins not visited).

Service times and off-route lines are drivers' personal data: these routes are planner-only,
computing reads GPS history through the one logged reader, and reading a stored result with them
is access-logged. The not-visited list holds none of them.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, status

from api.deps import PlannerDep, PoolDep, StateDep
from api.schemas.adherence import (
    AdherenceCreate,
    AdherencePublic,
    AdherenceSummaryPublic,
    AdherenceTotalsPublic,
    BinVisitPublic,
    NotVisitedBinPublic,
    NotVisitedPublic,
    TruckAdherencePublic,
)
from core.db.adherence import load_adherence, load_not_visited, load_run
from core.db.plans import plan_date_of
from fleet.adherence_service import compute_adherence
from fleet.adherence_types import AdherenceParams, AdherenceRun, AdherenceTotals, PlanAdherence

router = APIRouter(
    prefix="/planner",
    tags=["planner"],
    responses={
        400: {"description": "bad thresholds or times, a rejected plan, a day not begun"},
        401: {"description": "not authenticated"},
        403: {"description": "planners only"},
        404: {"description": "no such plan, or no proof of service computed for it yet"},
    },
)

REVIEW = "proof of service review"  # access_log purpose of reading a stored result


def _check_id(plan_id: int) -> None:
    if not 1 <= plan_id <= 2**62:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no plan {plan_id}")


def _aware(t: datetime | None, tz: str, name: str) -> datetime | None:
    """``t`` with the city's zone when it has none; 422 for a year outside 2000-2100."""
    if t is None:
        return None
    if not 2000 <= t.year <= 2100:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, f"{name} must lie in the years 2000-2100"
        )
    return t if t.utcoffset() is not None else t.replace(tzinfo=ZoneInfo(tz))


def _totals(t: AdherenceTotals) -> AdherenceTotalsPublic:
    return AdherenceTotalsPublic(**t.to_json())


def _summary(run: AdherenceRun, r: PlanAdherence) -> AdherenceSummaryPublic:
    return AdherenceSummaryPublic(
        plan_id=run.plan_id,
        plan_date=r.plan_date,
        computed_at=run.computed_at,
        gps_until=run.gps_until,
        computed_by=run.computed_by,
        params=r.params.to_json(),
        totals=_totals(r.totals),
        vehicles=len(r.trucks),
        not_visited=len(r.not_visited),
    )


@router.post("/plans/{plan_id}/adherence", response_model=AdherenceSummaryPublic)
async def compute_plan_adherence(
    plan_id: int, user: PlannerDep, state: StateDep, body: AdherenceCreate | None = None
) -> AdherenceSummaryPublic:
    """Compute the plan's proof of service from its trucks' GPS up to now (or ``now``), store
    it in place of the previous one, and return its summary. The GPS read is access-logged
    (purpose ``proof_of_service``, actor the planner)."""
    _check_id(plan_id)
    req = body or AdherenceCreate()
    tz = state.config.timezone
    params = AdherenceParams(**req.thresholds(), shift_end=_aware(req.shift_end, tz, "shift_end"))
    now = _aware(req.now, tz, "now")
    result = await compute_adherence(
        state.pool, plan_id, actor=user.username, params=params, now=now
    )
    async with state.pool.acquire() as conn:
        run = await load_run(conn, plan_id)
    return _summary(run, result)


@router.get("/plans/{plan_id}/adherence", response_model=AdherencePublic)
async def get_plan_adherence(plan_id: int, user: PlannerDep, pool: PoolDep) -> AdherencePublic:
    """The plan's stored proof of service: summary, every truck's totals and off-route lines,
    every bin visit with its service time. The read is access-logged."""
    _check_id(plan_id)
    async with pool.acquire() as conn:
        run, r = await load_adherence(conn, plan_id, actor=user.username, purpose=REVIEW)
    return AdherencePublic(
        **_summary(run, r).model_dump(),
        trucks=[
            TruckAdherencePublic(
                vehicle_id=t.vehicle_id,
                fixes=t.fixes,
                totals=_totals(t.totals),
                off_route_lines=[list(line) for line in t.off_route_lines],
            )
            for t in r.trucks
        ],
        visits=[BinVisitPublic(**v.to_json()) for v in r.visits()],
    )


@router.get("/plans/{plan_id}/not-visited", response_model=NotVisitedPublic)
async def plan_not_visited(plan_id: int, user: PlannerDep, pool: PoolDep) -> NotVisitedPublic:
    """Planned bins no truck served by the end of the shift, or, computed during the day, by
    ``gps_until``; by planned ETA (``overdue``: the ETA had passed). From the stored result:
    POST ``/planner/plans/{plan_id}/adherence`` to bring it up to date."""
    _check_id(plan_id)
    async with pool.acquire() as conn:
        run, bins = await load_not_visited(conn, plan_id)
        day = await plan_date_of(conn, plan_id)
    return NotVisitedPublic(
        plan_id=plan_id,
        plan_date=day,
        computed_at=run.computed_at,
        gps_until=run.gps_until,
        bins=[
            NotVisitedBinPublic(
                bin_id=v.bin_id,
                vehicle_id=v.vehicle_id,
                planned_seq=v.planned_seq,
                planned_eta=v.planned_eta,
                lon=v.lon,
                lat=v.lat,
                reported=v.reported,
                overdue=v.planned_eta is not None and v.planned_eta <= run.gps_until,
            )
            for v in bins
        ],
    )
