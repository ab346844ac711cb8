"""Adapter orchestration: mid-day re-planning of a date's current plan (issue 5).

Steps: load the date's current accepted plan, the stops' reports and the trucks' latest GPS fixes
(drivers' personal data: read for the caller's ``actor`` with purpose ``replan``, logged in
``access_log``);
rebuild the day's *original* problem from the plan's stored ``inputs`` (the selection -- bins,
demands, required flags, prizes -- trucks, sites and
:class:`~routing.planning.day_problem.DayConfig`; no new forecast), over the cached travel matrix;
compute each truck's travel from its position with one shortest-path search;
:func:`routing.planning.replan.replan` drops every bin already emptied or skipped that day (in any
accepted plan of the date) and starts each truck where it is at ``now``; solve, check, add road
geometry and store the result as a new plan whose ``inputs`` say it re-plans plan X at time T.

Where a truck starts:

* its latest fix (snapped to the network) when that fix is at most ``max_fix_age`` (30 min by
  default) away from ``now``;
* otherwise (no fix, or a stale one: GPS lost, truck parked) its home depot, empty.

What it carries: the current plan's planned load after the truck's last reported bin stop,
less the planned demand of bins skipped since the unload before it (0 with no report yet).

Trucks whose shift has ended at ``now`` get no route. Checker policy as in
:mod:`routing.planning.plan_service`: a failing re-plan is stored ``rejected`` and raises
:class:`~routing.planning.plan_service.PlanRejected`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from core.db.plans import latest_plan
from core.db.stop_reports import done_bins, stop_reports
from core.db.vehicle_state import latest_positions
from core.domain import Site, Vehicle
from core.plan import DayPlan, StopKind
from core.reports import StopReport
from core.tracking import VehicleFix
from routing.network.geometry import with_geometry
from routing.network.graph import RoadNetwork
from routing.network.matrix import travel_from
from routing.network.matrix_cache import cached_travel_matrix
from routing.planning.day_problem import DayConfig, DayProblem, build_day_problem, matrix_points
from routing.planning.plan_service import (
    Inventory,
    Step,
    load_inventory,
    solve_checked,
    store_checked,
)
from routing.planning.replan import TruckState, replan
from routing.planning.selection import Reason, Selection
from routing.vrp.solution import Solution

log = logging.getLogger(__name__)

REPLAN_STEPS = (
    "loading plan, reports and positions",
    "travel matrix",
    "truck positions",
    "solving",
    "checking",
    "saving",
)
REPLAN_KEYS = ("replan_of", "replanned_at", "emptied", "forced_out_now", "truck_starts")
AT_RISK = (Reason.FULL_NOW.value, Reason.URGENT.value)
PURPOSE = "replan"  # why re-planning reads the trucks' positions (access_log.purpose)


@dataclass(frozen=True, slots=True)
class ReplanRequest:
    """What to re-plan and how; ``now`` defaults to the current time."""

    plan_date: date
    now: datetime | None = None
    time_limit_s: float = 30.0
    engine: str = "portfolio"
    seed: int = 0
    max_fix_age: timedelta = timedelta(minutes=30)
    exclude: tuple[str, ...] = ()  # also leave out (the planner's exclusions for the date)

    def __post_init__(self) -> None:
        if self.time_limit_s <= 0:
            raise ValueError("time_limit_s must be positive.")
        if self.max_fix_age <= timedelta(0):
            raise ValueError("max_fix_age must be positive.")
        if self.now is not None and self.now.tzinfo is None:
            raise ValueError("now must be timezone-aware.")


@dataclass(frozen=True, slots=True)
class TruckStart:
    """Where a truck starts the rest of its day and what it carries (stored in ``inputs``)."""

    vehicle_id: str
    lon: float
    lat: float
    source: str  # "gps" or "depot"
    fix_at: datetime | None
    load_l: float
    load_kg: float


# --- pure steps -------------------------------------------------------------------------------


def load_on_board(reports: Sequence[StopReport]) -> tuple[float, float]:
    """(litres, kg) on board after the last reported bin stop of a route (see module doc)."""
    done = [
        i for i, r in enumerate(reports) if r.stop.kind is StopKind.BIN and r.status != "planned"
    ]
    if not done:
        return 0.0, 0.0
    last = done[-1]
    start = max((i for i in range(last) if reports[i].stop.kind is not StopKind.BIN), default=0)
    litres, kg = reports[last].stop.load_after_l, reports[last].stop.load_after_kg
    for i in range(start + 1, last + 1):
        if reports[i].status == "skipped":
            litres -= reports[i].stop.load_after_l - reports[i - 1].stop.load_after_l
            kg -= reports[i].stop.load_after_kg - reports[i - 1].stop.load_after_kg
    return max(0.0, litres), max(0.0, kg)


def truck_starts(
    trucks: Sequence[Vehicle],
    depots: Mapping[str, Site],
    fixes: Mapping[str, VehicleFix],
    reports: Mapping[str, Sequence[StopReport]],
    now: datetime,
    max_fix_age: timedelta,
) -> list[TruckStart]:
    """Each truck's start: a fresh GPS fix, else its depot (empty); see the module doc."""
    out = []
    for v in trucks:
        fix = fixes.get(v.vehicle_id)
        if fix is not None and abs(now - fix.observed_at) <= max_fix_age:
            load = load_on_board(reports.get(v.vehicle_id, ()))
            out.append(TruckStart(v.vehicle_id, fix.lon, fix.lat, "gps", fix.observed_at, *load))
        else:
            d = depots[v.depot_id]
            out.append(TruckStart(v.vehicle_id, d.lon, d.lat, "depot", None, 0.0, 0.0))
    return out


def selection_from_inputs(inputs: Mapping[str, Any]) -> Selection:
    """The stored plan's bin selection (``inputs["bins"]``) as a :class:`Selection`."""
    bins = inputs["bins"]
    return Selection(
        required=tuple(b["bin_id"] for b in bins if b["required"]),
        optional={b["bin_id"]: float(b["prize"]) for b in bins if not b["required"]},
        reasons={b["bin_id"]: Reason(b["reason"]) for b in bins},
        demand_l={b["bin_id"]: float(b["demand_l"]) for b in bins},
    )


def config_from_inputs(inputs: Mapping[str, Any]) -> DayConfig:
    raw = dict(inputs.get("day_config", {}))
    if "break_window_h" in raw:
        raw["break_window_h"] = tuple(raw["break_window_h"])
    return DayConfig(**raw)


def on_shift(trucks: Sequence[Vehicle], problem: DayProblem, now: datetime) -> list[Vehicle]:
    """The trucks whose shift has not ended at ``now``."""
    hours = (now - problem.midnight).total_seconds() / 3600.0
    return [v for v in trucks if v.shift_end_h > hours]


# --- orchestration ----------------------------------------------------------------------------


async def replan_day(
    dsn: str,
    request: ReplanRequest,
    net: RoadNetwork,
    cache_dir: Path | str,
    step: Step | None = None,
    on_solution: Callable[[str, Solution], None] | None = None,
    *,
    actor: str,
) -> DayPlan:
    """Re-plan the rest of ``request.plan_date`` for ``actor`` (who asks: a planner's user name,
    or the service's name) and store it (see the module doc).

    :class:`core.db.plans.PlanNotFound` when the date has no accepted plan; ValueError when the
    actor is empty or no truck is on shift any more. Returns the stored plan; raises
    :class:`~routing.planning.plan_service.PlanRejected` when the checker refused it.
    """
    say = step or (lambda _: None)
    now = request.now or datetime.now(UTC)
    conn = await asyncpg.connect(dsn)
    try:
        say(REPLAN_STEPS[0])
        base = await latest_plan(conn, request.plan_date)
        assert base.plan_id is not None
        if "bins" not in base.inputs or "vehicle_ids" not in base.inputs:
            raise ValueError(f"plan {base.plan_id} stores no selection to re-plan from.")
        reports = await stop_reports(conn, base.plan_id)
        done = await done_bins(conn, request.plan_date) | set(base.inputs.get("emptied", ()))
        inv = await load_inventory(conn)
        wanted = set(base.inputs["vehicle_ids"])
        trucks = [v for v in inv.vehicles if v.vehicle_id in wanted]
        fixes = await latest_positions(conn, actor, PURPOSE, vehicle_ids=wanted)

        say(REPLAN_STEPS[1])
        problem = _original_problem(base, inv, trucks, net, cache_dir)
        trucks = on_shift(trucks, problem, now)
        if not trucks:
            raise ValueError(f"no truck of plan {base.plan_id} is on shift at {now.isoformat()}.")

        say(REPLAN_STEPS[2])
        starts = truck_starts(
            trucks, {d.site_id: d for d in inv.depots}, fixes, reports, now, request.max_fix_age
        )
        states = [_truck_state(problem, s, net) for s in starts]
        gone = done | set(request.exclude)
        rest = replan(problem, now, states, gone)
        inputs = {
            **rest.inputs,
            "replan_of": base.plan_id,
            "emptied": sorted(done),
            "forced_out_now": sorted(set(request.exclude) - done),
            "truck_starts": [asdict(s) for s in starts],
        }
        rest = replace(rest, inputs=json.loads(json.dumps(inputs, default=str)))  # as stored
        log.info(
            "re-planning plan %d at %s: %d trucks (%d from GPS), %d bins left",
            base.plan_id,
            now.isoformat(),
            len(starts),
            sum(s.source == "gps" for s in starts),
            len(rest.data.clients),
        )

        at_risk = {b["bin_id"] for b in base.inputs["bins"] if b["reason"] in AT_RISK} - done
        plan = solve_checked(
            rest, request.engine, request.time_limit_s, request.seed, at_risk, say, on_solution
        )
        return await store_checked(conn, with_geometry(plan, net), say)
    finally:
        await conn.close()


def _original_problem(
    base: DayPlan,
    inv: Inventory,
    trucks: list[Vehicle],
    net: RoadNetwork,
    cache_dir: Path | str,
) -> DayProblem:
    """The day's problem as first planned, from the stored inputs and the cached matrix."""
    if base.inputs.get("network_version") not in (None, net.version):
        log.warning("plan %s was made on another network version", base.plan_id)
    lon, lat = matrix_points(inv.bins, inv.depots, inv.disposal_sites)
    matrix = cached_travel_matrix(cache_dir, net, lon, lat)
    streets = [net.street_name(int(n)) for n in matrix.nodes]
    original = {k: v for k, v in base.inputs.items() if k not in REPLAN_KEYS}
    return build_day_problem(
        base.plan_date,
        inv.bins,
        selection_from_inputs(original),
        trucks,
        inv.depots,
        inv.disposal_sites,
        matrix,
        streets,
        config_from_inputs(original),
        original,
    )


def _truck_state(problem: DayProblem, start: TruckStart, net: RoadNetwork) -> TruckState:
    """Travel from the truck's start to every location of the original problem."""
    if start.source == "depot":  # exactly the matrix's depot row
        home = problem.depot_location[problem.vehicles[start.vehicle_id].depot_id]
        time_s = problem.data.duration[home].astype(float)
        dist_m = problem.data.distance[home].astype(float)
        street = problem.location_street[home]
    else:
        n = problem.data.num_locations
        places = [problem.location_bin.get(k) or problem.location_site[k] for k in range(n)]
        time_s, dist_m = travel_from(
            net, start.lon, start.lat, [p.lon for p in places], [p.lat for p in places]
        )
        street = net.street_name(net.snap(start.lon, start.lat)[0])
    return TruckState(
        start.vehicle_id, start.lon, start.lat, street, start.load_l, start.load_kg, time_s, dist_m
    )
