"""Store adapter for proof of service: a plan's adherence result, one per plan (tables from
``migrations/0006_adherence.sql``; the types are :mod:`fleet.adherence_types`).

Saving replaces the plan's previous result in one transaction. Service times, dwells and
off-route lines come from drivers' positions, so :func:`load_adherence` requires an actor and a
purpose and writes ``access_log`` in the read's transaction; :func:`load_not_visited` (planned
bins, trucks and ETAs) and :func:`load_run` (when it was computed) are not logged.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import asyncpg

from core.db.access_log import log_access
from core.db.plans import PlanNotFound
from fleet.adherence_types import (
    AdherenceParams,
    AdherenceRun,
    AdherenceTotals,
    BinVisit,
    Disagreement,
    Outcome,
    PlanAdherence,
    ReportStatus,
    TruckAdherence,
)

_TOTALS = (
    "planned",
    "served",
    "missed",
    "out_of_sequence",
    "unplanned",
    "disagreements",
    "driven_km",
    "off_route_km",
)
_VISIT_COLUMNS = (
    "plan_id",
    "vehicle_id",
    "pos",
    "bin_id",
    "outcome",
    "lon",
    "lat",
    "planned_seq",
    "planned_eta",
    "served_at",
    "dwell_s",
    "distance_m",
    "in_sequence",
    "reported",
    "disagreement",
    "planned_for",
    "not_visited_rank",
)


class AdherenceNotFound(LookupError):
    """The plan exists but no adherence has been computed for it."""


# --- writing ----------------------------------------------------------------------------------


async def save_adherence(
    conn: asyncpg.Connection, result: PlanAdherence, run: AdherenceRun
) -> None:
    """Store ``result`` for ``run.plan_id``, replacing any earlier result, in one transaction.

    ValueError when the result is of another plan; :class:`PlanNotFound` for an unknown plan.
    """
    if result.plan_id is not None and result.plan_id != run.plan_id:
        raise ValueError(f"result of plan {result.plan_id} cannot be stored for {run.plan_id}.")
    rank = {(v.vehicle_id, v.bin_id): k for k, v in enumerate(result.not_visited)}
    async with conn.transaction():
        if await conn.fetchval("SELECT 1 FROM plans WHERE plan_id = $1", run.plan_id) is None:
            raise PlanNotFound(f"no plan {run.plan_id}.")
        await conn.execute("DELETE FROM plan_adherence WHERE plan_id = $1", run.plan_id)
        await conn.execute(
            "INSERT INTO plan_adherence (plan_id, computed_at, gps_until, computed_by, params)"
            " VALUES ($1, $2, $3, $4, $5::jsonb)",
            run.plan_id,
            run.computed_at,
            run.gps_until,
            run.computed_by,
            json.dumps(result.params.to_json()),
        )
        await conn.executemany(
            "INSERT INTO adherence_trucks (plan_id, vehicle_id, fixes, planned, served, missed,"
            " out_of_sequence, unplanned, disagreements, driven_km, off_route_km,"
            " off_route_lines) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb)",
            [
                (
                    run.plan_id,
                    t.vehicle_id,
                    t.fixes,
                    *(getattr(t.totals, f) for f in _TOTALS),
                    json.dumps([[list(p) for p in line] for line in t.off_route_lines]),
                )
                for t in result.trucks
            ],
        )
        await conn.copy_records_to_table(
            "adherence_visits",
            columns=list(_VISIT_COLUMNS),
            records=[
                _visit_record(run.plan_id, pos, v, rank)
                for t in result.trucks
                for pos, v in enumerate(t.visits)
            ],
        )


def _visit_record(
    plan_id: int, pos: int, v: BinVisit, rank: Mapping[tuple[str, str], int]
) -> tuple[object, ...]:
    return (
        plan_id,
        v.vehicle_id,
        pos,
        v.bin_id,
        v.outcome.value,
        v.lon,
        v.lat,
        v.planned_seq,
        v.planned_eta,
        v.served_at,
        v.dwell_s,
        v.distance_m,
        v.in_sequence,
        None if v.reported is None else v.reported.value,
        None if v.disagreement is None else v.disagreement.value,
        v.planned_for,
        rank.get((v.vehicle_id, v.bin_id)) if v.outcome is Outcome.MISSED else None,
    )


# --- reading ----------------------------------------------------------------------------------


async def load_run(conn: asyncpg.Connection, plan_id: int) -> AdherenceRun:
    """When (and by whom, up to when) plan ``plan_id``'s stored adherence was computed; no
    driver's data, not logged. :class:`PlanNotFound` / :class:`AdherenceNotFound` when absent."""
    return (await _run(conn, plan_id))[0]


async def _run(conn: asyncpg.Connection, plan_id: int) -> tuple[AdherenceRun, asyncpg.Record]:
    """The stored run of ``plan_id`` and its ``plans`` date; LookupErrors saying what is absent."""
    row = await conn.fetchrow(
        "SELECT p.plan_date, a.computed_at, a.gps_until, a.computed_by, a.params"
        " FROM plans p LEFT JOIN plan_adherence a USING (plan_id) WHERE p.plan_id = $1",
        plan_id,
    )
    if row is None:
        raise PlanNotFound(f"no plan {plan_id}.")
    if row["computed_at"] is None:
        raise AdherenceNotFound(f"no adherence has been computed for plan {plan_id} yet.")
    run = AdherenceRun(plan_id, row["computed_at"], row["gps_until"], row["computed_by"])
    return run, row


async def load_adherence(
    conn: asyncpg.Connection, plan_id: int, *, actor: str, purpose: str
) -> tuple[AdherenceRun, PlanAdherence]:
    """The stored adherence of plan ``plan_id`` (trucks by vehicle id, as stored plans order
    their routes) and when it was computed; the read is recorded in ``access_log`` first, in
    one snapshot with it. :class:`PlanNotFound` / :class:`AdherenceNotFound` when absent,
    ValueError (nothing read) when the actor or the purpose is empty."""
    async with conn.transaction(isolation="repeatable_read"):
        await log_access(conn, actor, purpose, "plan_adherence", {"plan_id": plan_id})
        run, head = await _run(conn, plan_id)
        trucks = await conn.fetch(
            "SELECT * FROM adherence_trucks WHERE plan_id = $1 ORDER BY vehicle_id", plan_id
        )
        visits = await conn.fetch(
            "SELECT * FROM adherence_visits WHERE plan_id = $1 ORDER BY vehicle_id, pos", plan_id
        )
    by_truck: dict[str, list[BinVisit]] = {}
    ranked: list[tuple[int, BinVisit]] = []
    for r in visits:
        v = _visit(r)
        by_truck.setdefault(r["vehicle_id"], []).append(v)
        if r["not_visited_rank"] is not None:
            ranked.append((r["not_visited_rank"], v))
    ranked.sort(key=lambda x: x[0])
    out = tuple(_truck(t, by_truck.get(t["vehicle_id"], [])) for t in trucks)
    result = PlanAdherence(
        plan_id,
        head["plan_date"],
        AdherenceParams.from_json(json.loads(head["params"])),
        out,
        sum((t.totals for t in out), AdherenceTotals()),
        tuple(v for _, v in ranked),
    )
    return run, result


async def load_not_visited(
    conn: asyncpg.Connection, plan_id: int
) -> tuple[AdherenceRun, tuple[BinVisit, ...]]:
    """The planned bins of plan ``plan_id`` no truck served by the stored result's GPS end, by
    planned ETA, without service times (no driver's position in them: not logged).
    :class:`PlanNotFound` / :class:`AdherenceNotFound` when absent."""
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        run, _ = await _run(conn, plan_id)
        rows = await conn.fetch(
            "SELECT * FROM adherence_visits WHERE plan_id = $1 AND not_visited_rank IS NOT NULL"
            " ORDER BY not_visited_rank",
            plan_id,
        )
    return run, tuple(_visit(r) for r in rows)


def _visit(r: Mapping[str, Any]) -> BinVisit:
    return BinVisit(
        r["vehicle_id"],
        r["bin_id"],
        Outcome(r["outcome"]),
        r["lon"],
        r["lat"],
        planned_seq=r["planned_seq"],
        planned_eta=r["planned_eta"],
        served_at=r["served_at"],
        dwell_s=r["dwell_s"],
        distance_m=r["distance_m"],
        in_sequence=r["in_sequence"],
        reported=None if r["reported"] is None else ReportStatus(r["reported"]),
        disagreement=None if r["disagreement"] is None else Disagreement(r["disagreement"]),
        planned_for=r["planned_for"],
    )


def _truck(r: Mapping[str, Any], visits: list[BinVisit]) -> TruckAdherence:
    lines = tuple(
        tuple((float(p[0]), float(p[1])) for p in line) for line in json.loads(r["off_route_lines"])
    )
    totals = AdherenceTotals(*(r[f] for f in _TOTALS))
    return TruckAdherence(r["vehicle_id"], r["fixes"], tuple(visits), totals, lines)
