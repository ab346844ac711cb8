"""From a selection to the trucks' routes with the project's planning code, reproducibly.

The day problem is :func:`routing.planning.day_problem.build_day_problem` (same capacities,
shifts, disposal trips and service times as production), solved by the PyVRP engine with a
fixed seed and an iteration budget instead of a time limit, checked by the independent
:mod:`routing.vrp.checker` and read back with :func:`~routing.planning.day_problem.day_plan`.
The same inputs give the same routes on any machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.plan import StopKind
from routing.planning.day_problem import DayConfig, build_day_problem, day_plan
from routing.planning.selection import Selection
from routing.vrp.checker import check
from routing.vrp.engines import pyvrp_engine
from simulations.loop.config import SolverBudget
from simulations.loop.scenario import Scenario

ENGINE = pyvrp_engine.NAME


@dataclass(frozen=True, slots=True)
class TruckRoute:
    """One truck's stops in order: bin ids and disposal site ids (the depot is implicit)."""

    vehicle_id: str
    stops: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SolveRecord:
    """How a plan was made, for the output next to the figures."""

    engine: str
    solver_seed: int
    max_iterations: int
    max_no_improvement: int
    clients: int
    required: int
    objective: int
    violations: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RoutePlan:
    """The routes a policy sends out on a day, and the solve that made them (None: reused)."""

    routes: tuple[TruckRoute, ...]
    solve: SolveRecord | None = None


def solve_selection(
    scenario: Scenario,
    selection: Selection,
    plan_date: date,
    tz: str,
    budget: SolverBudget,
    solver_seed: int,
) -> RoutePlan:
    """Routes serving ``selection`` on ``plan_date``; no routes when nothing is selected."""
    if not selection.visited_candidates:
        return RoutePlan(routes=())
    problem = build_day_problem(
        plan_date=plan_date,
        bins=scenario.bins,
        selection=selection,
        vehicles=scenario.trucks,
        depots=scenario.depots,
        disposal_sites=scenario.disposal_sites,
        matrix=scenario.matrix,
        config=DayConfig(tz=tz),
    )
    solution = pyvrp_engine.solve_problem(
        problem.data,
        0.0,
        seed=solver_seed,
        max_iterations=budget.max_iterations,
        max_no_improvement=budget.max_no_improvement,
    )
    violations = tuple(f"{v.kind}: {v.message}" for v in check(problem.data, solution))
    plan = day_plan(problem, solution, at_risk=(), violations=violations)
    routes = []
    for vr in plan.routes:
        stops = []
        for s in vr.stops:
            if s.kind is StopKind.BIN and s.bin_id is not None:
                stops.append(s.bin_id)
            elif s.kind is StopKind.DISPOSAL and s.site_id is not None:
                stops.append(s.site_id)
        routes.append(TruckRoute(vehicle_id=vr.vehicle_id, stops=tuple(stops)))
    record = SolveRecord(
        engine=ENGINE,
        solver_seed=solver_seed,
        max_iterations=budget.max_iterations,
        max_no_improvement=budget.max_no_improvement,
        clients=len(selection.visited_candidates),
        required=len(selection.required),
        objective=int(solution.objective),
        violations=violations,
    )
    return RoutePlan(routes=tuple(routes), solve=record)
