"""OR-Tools engine: the only module importing :mod:`ortools`.

Mapping from :class:`~routing.vrp.model.ProblemData` (OR-Tools *nodes*):

* nodes ``0 .. n-1`` are our locations; each vehicle starts at its type's start location and
  ends at its end location (per-vehicle starts and ends of the ``RoutingIndexManager``); depots
  and plain locations where no vehicle starts or ends are deactivated;
* every matrix (arc costs per distance-cost rate, travel time + service at the origin) and
  every load vector is registered with ``RegisterTransitMatrix`` /
  ``RegisterUnaryTransitVector`` -- no Python per-arc callback;
* capacity: one dimension per load dimension. Disposal trips follow OR-Tools' ``cvrp_reload``
  sample: each disposal site gets optional copies (nodes ``n ..``, penalty 0) whose load
  transit is ``-max capacity`` with slack in ``[0, max capacity]``, so a visit empties the
  truck; every other node has zero slack. A vehicle's initial load is its load cumul at the
  start (fixed). With disposal sites the load must be zero at the route end, which forces the
  final unload (and a route for every vehicle starting with a load);
* time (only when some time constraint exists): cumul = service start, slack = waiting,
  shift window on start/end cumuls, ``max_duration_s`` as the span upper bound, client time
  windows on their cumuls, and the driver break as a ``FixedDurationIntervalVar`` registered
  with ``SetBreakIntervalsOfVehicle`` (it may fall en route, or before the start / after the
  end of a route, as our break rule allows);
* optional clients are disjunctions with penalty = prize; required clients have none;
* search: ``GUIDED_LOCAL_SEARCH`` until the time limit, from a start read with
  ``ReadAssignmentFromRoutes`` (given routes; Clarke-Wright savings of
  :mod:`routing.vrp.engines.savings` on large plain CVRPs; the
  nearest-neighbour construction of :mod:`routing.vrp.engines.construction` on everything else,
  each unload mapped to a fresh copy of its site), or from ``PATH_CHEAPEST_ARC`` on small
  plain CVRPs. If no first solution is found, ``FALLBACK_STRATEGIES`` get a bounded extra
  time; the constructed plan is the last resort.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from routing.vrp.engines.construction import nearest_neighbour_tours
from routing.vrp.engines.savings import savings_routes
from routing.vrp.model import UNBOUNDED_S, LocationKind, ProblemData
from routing.vrp.problem_kind import single_depot_cvrp
from routing.vrp.solution import Route, Solution, make_route, make_solution

NAME = "ortools"
log = logging.getLogger(__name__)
WARM_START_FROM = 200  # clients of a plain CVRP; PATH_CHEAPEST_ARC is fine below this


class _Built:
    """The OR-Tools model for one problem, with the node <-> location bookkeeping."""

    def __init__(self, data: ProblemData, min_copies: int = 0) -> None:
        self.data = data
        n = data.num_locations
        self.vehicle_type = [
            t for t, vt in enumerate(data.vehicle_types) for _ in range(vt.num_available)
        ]
        num_v = len(self.vehicle_type)
        copies = max(_disposal_copies(data, num_v), min_copies) if data.disposal_sites else 0
        self.node_loc = list(range(n)) + [
            s.location for s in data.disposal_sites for _ in range(copies - 1)
        ]
        self.copies_of: dict[int, list[int]] = {
            s.location: [s.location] for s in data.disposal_sites
        }
        for node in range(n, len(self.node_loc)):
            self.copies_of[self.node_loc[node]].append(node)
        starts = [data.vehicle_types[t].start_location for t in self.vehicle_type]
        ends = [data.vehicle_types[t].end_location for t in self.vehicle_type]
        self.manager = pywrapcp.RoutingIndexManager(len(self.node_loc), num_v, starts, ends)
        self.routing = pywrapcp.RoutingModel(self.manager)
        self.time_dim: pywrapcp.RoutingDimension | None = None
        self.breaks: list[pywrapcp.IntervalVar] = []
        locs = np.array(self.node_loc)
        self._costs(locs)
        self._capacities()
        self._visits(set(starts) | set(ends))
        if _needs_time(data):
            self._time(locs)

    def index(self, node: int) -> int:
        return self.manager.NodeToIndex(node)

    def _costs(self, locs: np.ndarray) -> None:
        dist = self.data.distance[np.ix_(locs, locs)]
        by_rate: dict[int, int] = {}
        for v, t in enumerate(self.vehicle_type):
            vt = self.data.vehicle_types[t]
            rate = vt.distance_cost
            if rate not in by_rate:
                by_rate[rate] = self.routing.RegisterTransitMatrix((dist * rate).tolist())
            self.routing.SetArcCostEvaluatorOfVehicle(by_rate[rate], v)
            self.routing.SetFixedCostOfVehicle(vt.fixed_cost, v)

    def _capacities(self) -> None:
        data, r = self.data, self.routing
        sites = bool(data.disposal_sites)
        loaded = any(any(vt.initial_load) for vt in data.vehicle_types)
        for dim in range(data.num_dimensions):
            caps = [data.vehicle_types[t].capacity[dim] for t in self.vehicle_type]
            top = max(caps)
            demand = [0] * len(self.node_loc)
            for c in data.clients:
                demand[c.location] = c.demand[dim]
            for node, loc in enumerate(self.node_loc):
                if data.kinds[loc] == LocationKind.DISPOSAL:
                    demand[node] = -top
            cb = r.RegisterUnaryTransitVector(demand)
            slack = top if sites else 0
            r.AddDimensionWithVehicleCapacity(cb, slack, caps, not loaded, f"load{dim}")
            d = r.GetDimensionOrDie(f"load{dim}")
            for v, t in enumerate(self.vehicle_type) if loaded else ():
                d.CumulVar(r.Start(v)).SetValue(data.vehicle_types[t].initial_load[dim])
            if not sites:
                continue
            for node, loc in enumerate(self.node_loc):
                if data.kinds[loc] == LocationKind.CLIENT:
                    d.SlackVar(self.index(node)).SetValue(0)
            for v in range(len(self.vehicle_type)):
                d.SlackVar(r.Start(v)).SetValue(0)
                d.CumulVar(r.End(v)).SetMax(0)

    def _visits(self, homes: set[int]) -> None:
        data, r = self.data, self.routing
        for c in data.clients:
            if not c.required:
                r.AddDisjunction([self.index(c.location)], c.prize)
        for copies in self.copies_of.values():
            same_site = [self.index(node) for node in copies]
            for idx in same_site:
                r.AddDisjunction([idx], 0)
                # unloading twice in a row is pointless, and the free copy->copy arcs
                # otherwise trap PATH_CHEAPEST_ARC in long chains of unloads
                r.NextVar(idx).RemoveValues([j for j in same_site if j != idx])
        for loc, kind in enumerate(data.kinds):
            if kind in (LocationKind.DEPOT, LocationKind.PLAIN) and loc not in homes:
                idx = self.index(loc)
                r.AddDisjunction([idx], 0)
                r.ActiveVar(idx).SetValue(0)

    def _time(self, locs: np.ndarray) -> None:
        data, r = self.data, self.routing
        service = np.zeros(len(self.node_loc), dtype=np.int64)
        for node, loc in enumerate(self.node_loc):
            if data.kinds[loc] == LocationKind.CLIENT:
                service[node] = data.client_at(loc).service_s
            elif data.kinds[loc] == LocationKind.DISPOSAL:
                service[node] = data.disposal_at(loc).unload_s
        travel = data.duration[np.ix_(locs, locs)] + service[:, None]
        horizon = max(vt.shift_end_s for vt in data.vehicle_types)
        cb = r.RegisterTransitMatrix(travel.tolist())
        r.AddDimension(cb, horizon, horizon, False, "time")
        dim = r.GetDimensionOrDie("time")
        self.time_dim = dim
        for c in data.clients:
            dim.CumulVar(self.index(c.location)).SetRange(c.tw_early_s, min(c.tw_late_s, horizon))
        visit = [int(service[self.manager.IndexToNode(i)]) for i in range(r.Size())]
        solver = r.solver()
        brk = data.driver_break
        for v, t in enumerate(self.vehicle_type):
            vt = data.vehicle_types[t]
            dim.CumulVar(r.Start(v)).SetRange(vt.shift_start_s, vt.shift_end_s)
            dim.CumulVar(r.End(v)).SetRange(vt.shift_start_s, vt.shift_end_s)
            if vt.max_duration_s < UNBOUNDED_S:
                dim.SetSpanUpperBoundForVehicle(vt.max_duration_s, v)
            r.AddVariableMaximizedByFinalizer(dim.CumulVar(r.Start(v)))
            r.AddVariableMinimizedByFinalizer(dim.CumulVar(r.End(v)))
            if brk is not None:
                iv = solver.FixedDurationIntervalVar(
                    brk.earliest_start_s, brk.latest_start_s, brk.duration_s, False, f"break{v}"
                )
                dim.SetBreakIntervalsOfVehicle([iv], v, visit)
                self.breaks.append(iv)
        for iv in self.breaks:
            r.AddIntervalToAssignment(iv)

    def routes_to_indices(self, routes: Sequence[tuple[int, Sequence[int]]]) -> list[list[int]]:
        """Warm-start routes (vehicle, locations) as OR-Tools indices; disposal -> next copy."""
        free = {loc: list(nodes) for loc, nodes in self.copies_of.items()}
        out: list[list[int]] = [[] for _ in self.vehicle_type]
        for v, locs in routes:
            out[v] = [self.index(free[loc].pop() if loc in free else loc) for loc in locs]
        return out

    def read(self, assignment: pywrapcp.Assignment) -> list[Route]:
        """Our routes from an OR-Tools assignment."""
        r, out = self.routing, []
        for v, t in enumerate(self.vehicle_type):
            idx = r.Start(v)
            locs: list[int] = []
            idx = assignment.Value(r.NextVar(idx))
            while not r.IsEnd(idx):
                locs.append(self.node_loc[self.manager.IndexToNode(idx)])
                idx = assignment.Value(r.NextVar(idx))
            if not locs:
                continue
            start = None
            if self.time_dim is not None:
                start = assignment.Value(self.time_dim.CumulVar(r.Start(v)))
            route = make_route(self.data, t, locs, start)
            if self.breaks:
                route = self._place_break(route, assignment.StartValue(self.breaks[v]))
            out.append(route)
        return out

    def _place_break(self, route: Route, b: int) -> Route:
        """The break OR-Tools scheduled at ``b``, put after the last stop finished by then."""
        if b >= route.end_s:
            return route  # after the route's work: nothing to record
        if b < route.start_s:
            return make_route(self.data, route.vehicle_type, route.locations, b, b, -1)
        after = -1
        for k, visit in enumerate(route.visits):
            if visit.end_s <= b:
                after = k
        return make_route(self.data, route.vehicle_type, route.locations, route.start_s, b, after)


def _needs_time(data: ProblemData) -> bool:
    return (
        data.driver_break is not None
        or any(
            vt.shift_end_s < UNBOUNDED_S or vt.max_duration_s < UNBOUNDED_S
            for vt in data.vehicle_types
        )
        or any(c.tw_early_s > 0 or c.tw_late_s < UNBOUNDED_S for c in data.clients)
    )


def _disposal_copies(data: ProblemData, num_vehicles: int) -> int:
    """Visits each disposal site may get: all trips' worth plus one final unload per truck."""
    if not data.disposal_sites:
        return 0
    trips = 0
    for dim in range(data.num_dimensions):
        total = sum(c.demand[dim] for c in data.clients) + sum(
            vt.num_available * vt.initial_load[dim] for vt in data.vehicle_types
        )
        smallest = max(1, min(vt.capacity[dim] for vt in data.vehicle_types))
        trips = max(trips, math.ceil(total / smallest))
    return min(trips, len(data.clients)) + num_vehicles


def search_parameters(
    time_limit_s: float,
    first: int = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC,
) -> pywrapcp.DefaultRoutingSearchParameters:
    """``first`` (PATH_CHEAPEST_ARC) then GUIDED_LOCAL_SEARCH for ``time_limit_s`` seconds."""
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = first
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    params.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    return params


# when no first solution is found within the limit, these strategies get a bounded extra time
FALLBACK_STRATEGIES = (
    routing_enums_pb2.FirstSolutionStrategy.LOCAL_CHEAPEST_INSERTION,
    routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION,
)
FALLBACK_S = 2.0  # extra seconds per fallback strategy, at least


def solve_problem(
    data: ProblemData,
    time_limit_s: float,
    seed: int = 0,
    initial_routes: Sequence[tuple[int, Sequence[int]]] | None = None,
) -> Solution:
    """Solve ``data`` with OR-Tools for ``time_limit_s`` seconds.

    ``initial_routes`` are optional (vehicle index, visited locations) pairs to start from,
    vehicles numbered type by type. Without them, large plain CVRPs start from
    :func:`savings_routes` and every other problem from the nearest-neighbour construction
    of :mod:`routing.vrp.engines.construction`, which handles reloads, shifts, breaks and prizes.
    Should OR-Tools find no solution at all, fallback first-solution strategies get a
    bounded extra time, and the construction's plan is returned if all else fails.
    ``seed`` is unused: OR-Tools' routing search is deterministic.
    """
    del seed  # OR-Tools' routing search is deterministic
    t0 = time.perf_counter()
    constructed: list[Route] = []
    if initial_routes is None:
        initial_routes, constructed = _warm_start(data)
    built = _Built(data, _copies_used(data, initial_routes or []))
    r = built.routing
    start = None
    if initial_routes:
        start = r.ReadAssignmentFromRoutes(built.routes_to_indices(initial_routes), True)
        if start is None:
            log.warning("ortools: the start routes were rejected; searching from scratch")

    def left() -> float:
        return max(0.05, time_limit_s - (time.perf_counter() - t0))

    if start is not None:
        assignment = r.SolveFromAssignmentWithParameters(start, search_parameters(left()))
    else:
        assignment = r.SolveWithParameters(search_parameters(left()))
        for strategy in FALLBACK_STRATEGIES if not constructed else ():
            if assignment is not None:
                break
            log.info("ortools: no first solution, retrying with strategy %s", strategy)
            assignment = r.SolveWithParameters(search_parameters(max(left(), FALLBACK_S), strategy))
    runtime = time.perf_counter() - t0
    if assignment is None and constructed:
        sol = make_solution(data, constructed, NAME, runtime)
        return replace(sol, notes=("ortools: search found nothing, construction plan kept",))
    if assignment is None:
        sol = make_solution(data, [], NAME, runtime)
        return replace(sol, notes=("ortools: no solution found",))
    return make_solution(data, built.read(assignment), NAME, runtime)


def _warm_start(
    data: ProblemData,
) -> tuple[list[tuple[int, list[int]]] | None, list[Route]]:
    """Start routes for the search, and the constructed plan when there is one."""
    if single_depot_cvrp(data):
        if len(data.clients) < WARM_START_FROM:
            return None, []  # PATH_CHEAPEST_ARC is fine on small plain CVRPs
        warm = savings_routes(data)
        return (list(enumerate(warm)) if warm else None), []
    tours = nearest_neighbour_tours(data)
    if tours is None:
        log.info("ortools: construction left required clients out; searching from scratch")
        return None, []
    routes = [
        make_route(data, t.vehicle_type, t.locations, t.start_s, t.break_start_s, t.break_after)
        for t in tours
    ]
    return [(t.vehicle, list(t.locations)) for t in tours], routes


def _copies_used(data: ProblemData, routes: Sequence[tuple[int, Sequence[int]]]) -> int:
    """Most visits any one disposal site gets in ``routes``."""
    visits = [loc for _, locs in routes for loc in locs]
    return max((visits.count(s.location) for s in data.disposal_sites), default=0)
