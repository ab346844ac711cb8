"""PyVRP engine: the only module importing :mod:`pyvrp`.

Mapping from :class:`~routing.vrp.model.ProblemData`:

* locations keep their indices (PyVRP 0.14 separates locations from depots and clients); our
  depots, disposal sites and plain locations become PyVRP depots (PyVRP routes start and end at
  depots, so a truck's mid-route position is a depot of its own), clients become clients
  collecting ``pickup`` loads (one entry per capacity dimension), optional ones with their prize;
* a vehicle type's start and end locations are its ``start_depot`` / ``end_depot``, its initial
  load PyVRP's ``initial_load`` (on board until the first reload);
* disposal sites are the vehicle types' ``reload_depots`` (service duration = unload time), so
  a route is a sequence of trips and the load resets at each unload;
* the final unload before the end: each route ends at a *virtual* end depot per end location,
  reached from location ``i`` at the cost of ``i -> s -> end`` through the disposal site ``s``
  nearest in distance; the leg is expanded back into a real unload at ``s`` on the way out;
* PyVRP cannot force a vehicle into use: a vehicle that starts with a load and is left unused
  gets a route to the disposal site on its way to its end location afterwards;
* shifts are the vehicle type's time window, ``max_duration_s`` its ``shift_duration``;
* the driver break (PyVRP has no breaks) is approximated: the break duration is taken off the
  shift window and maximum duration, and the break is inserted afterwards at the first gap
  inside its window. The checker rejects the rare plan where that does not fit.

Start of the search: PyVRP's ``solve`` starts from a random solution improved by one local
search (here only up to :data:`RANDOM_START_MAX_CLIENTS` clients, or when there is no
constructed start). With the forced final unload every route ends with a long leg (on the
Copenhagen day about 10 km to the disposal site, then 11 km home); from a random start the local
search then stops at many one-trip routes (26 trucks on that day; 6 if the last leg went straight
home), and the iterated search, perturbing at most 25 clients at a time, neither empties them nor
finds the reload trips (11 trucks, 342 km after 60 s). So the search here starts from the
better, after one local search each, of that random start and the nearest-neighbour tours of
:mod:`routing.vrp.engines.construction` (reload trips, shifts, break, prizes), whose unloads become
reload-depot visits.

Stopping: by default the search runs for ``time_limit_s`` of wall-clock time, so its result
depends on the machine and its load. With ``max_iterations`` and/or ``max_no_improvement`` it
stops after that many iterations (without a new best) instead, and the time limit is ignored:
the same data and seed then give the same solution on any machine.
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np
from pyvrp import (
    Activity,
    ActivityType,
    Client,
    Depot,
    IteratedLocalSearch,
    Location,
    PenaltyManager,
    ProblemData,
    RandomNumberGenerator,
    SolveParams,
    VehicleType,
)
from pyvrp import Route as PyRoute
from pyvrp import Solution as PySolution
from pyvrp.search import (
    LocalSearch,
    NeighbourhoodParams,
    PerturbationManager,
    compute_neighbours,
)
from pyvrp.stop import (
    MaxIterations,
    MaxRuntime,
    MultipleCriteria,
    NoImprovement,
    StoppingCriterion,
)

from routing.vrp.checker import is_feasible
from routing.vrp.engines.construction import Tour, nearest_neighbour_tours
from routing.vrp.engines.decompose import decomposable, improve_by_groups
from routing.vrp.model import UNBOUNDED_S, LocationKind
from routing.vrp.model import ProblemData as Problem
from routing.vrp.solution import Route, Solution, make_route, make_solution, objective

NAME = "pyvrp"
# Above this many clients the random start is skipped when the construction gives one: its
# exhaustive local search takes seconds of the budget (on a 4,500-bin day, most of a short
# run's time), which the iterated search then lacks.
RANDOM_START_MAX_CLIENTS = 1000
# Above this many clients (and with a time limit) the search runs on the whole problem for
# GLOBAL_SHARE of the time, then re-optimises groups of nearby routes (engines.decompose).
DECOMPOSE_FROM = 2000
GLOBAL_SHARE = 0.2
# From this many clients the granular neighbourhood is narrowed to NEAR_LARGE neighbours (PyVRP's
# default is 50): each local search is then about twice as fast, and in a minute on X-n1001-k43
# the search ends 2.1 % above best known instead of 2.8 %.
LARGE_FROM = 500
NEAR_LARGE = 20
_CAP = 2**40  # "unbounded" for PyVRP time fields (far below its int64 limits)
_NO_LIMIT = int(np.iinfo(np.int64).max)  # PyVRP's default tw_late and shift_duration


def _limit(value_s: int, less_s: int = 0) -> int:
    """``value_s - less_s`` for a real limit; PyVRP's own "no limit" (the int64 maximum, its
    default) for an unbounded one. A finite stand-in (even ten years) makes PyVRP evaluate time
    windows: the same search, 12-14 % fewer iterations a second on X-n200-k36, where the 60 s plan
    of seeds 1 and 2 was 0.89 % and 0.66 % above best known with it, 0.14 % and 0.38 % without
    (measured 2026-11-30)."""
    return _NO_LIMIT if value_s >= UNBOUNDED_S else value_s - less_s


class _Mapping:
    """PyVRP data plus what is needed to read PyVRP routes back into our location indices."""

    def __init__(self, data: Problem) -> None:
        n = data.num_locations
        self.data = data
        sites = [s.location for s in data.disposal_sites]
        homes = sorted({vt.end_location for vt in data.vehicle_types})
        # PyVRP depots: our depots, disposal sites, plain locations, one virtual end per end
        plain = [p.location for p in data.plain_locations]
        self.depot_locs = [d.location for d in data.depots] + sites + plain
        self.virtual_end: dict[int, int] = {}
        self.via: dict[tuple[int, int], int] = {}  # (from location, end) -> disposal site
        dist = data.distance.astype(np.int64)
        dur = data.duration.astype(np.int64)
        if sites:
            unload = np.array([s.unload_s for s in data.disposal_sites], dtype=np.int64)
            extra = len(homes)
            big_d = np.zeros((n + extra, n + extra), dtype=np.int64)
            big_t = np.zeros((n + extra, n + extra), dtype=np.int64)
            big_d[:n, :n] = dist
            big_t[:n, :n] = dur
            for k, home in enumerate(homes):
                v = n + k
                self.virtual_end[home] = v
                through = dist[:, sites] + dist[sites, home][None, :]
                best = through.argmin(axis=1)
                rows = np.arange(n)
                big_d[:n, v] = through[rows, best]
                big_t[:n, v] = (
                    dur[rows, np.array(sites)[best]]
                    + unload[best]
                    + dur[np.array(sites)[best], home]
                )
                big_d[v, :] = big_t[v, :] = _CAP
                big_d[v, v] = big_t[v, v] = 0
                for i in range(n):
                    self.via[(i, home)] = sites[int(best[i])]
            dist, dur = big_d, big_t
        self.depot_locs += [self.virtual_end[h] for h in homes if h in self.virtual_end]
        self.depot_index = {loc: i for i, loc in enumerate(self.depot_locs)}
        self.pyvrp = self._build(data, dist, dur, sites)

    def _build(self, data: Problem, dist: np.ndarray, dur: np.ndarray, sites: list[int]):
        unload = {s.location: s.unload_s for s in data.disposal_sites}
        locations = [Location(0.0, 0.0) for _ in range(dist.shape[0])]
        depots = [Depot(loc, service_duration=unload.get(loc, 0)) for loc in self.depot_locs]
        clients = [
            Client(
                c.location,
                pickup=list(c.demand),
                service_duration=c.service_s,
                tw_early=c.tw_early_s,
                prize=c.prize,
                required=c.required,
                tw_late=_limit(c.tw_late_s),
            )
            for c in data.clients
        ]
        brk = data.driver_break.duration_s if data.driver_break else 0
        reloads = [self.depot_index[s] for s in sites]
        vtypes = []
        for vt in data.vehicle_types:
            end = self.virtual_end.get(vt.end_location, vt.end_location)
            vtypes.append(
                VehicleType(
                    vt.num_available,
                    list(vt.capacity),
                    start_depot=self.depot_index[vt.start_location],
                    end_depot=self.depot_index[end],
                    initial_load=list(vt.initial_load),
                    fixed_cost=vt.fixed_cost,
                    tw_early=vt.shift_start_s,
                    unit_distance_cost=vt.distance_cost,
                    reload_depots=reloads,
                    tw_late=_limit(vt.shift_end_s, brk),
                    shift_duration=_limit(vt.max_duration_s, brk),
                )
            )
        return ProblemData(locations, clients, depots, vtypes, [dist], [dur])  # type: ignore[list-item]

    def warm_start(self, tours: list[Tour]) -> PySolution:
        """The PyVRP solution of constructed ``tours``: unloads become reload-depot visits.

        A final unload is dropped when the route ends at a virtual end depot, which stands for
        it. ValueError (from PyVRP) if the tours do not fit the PyVRP data.
        """
        client_index = {c.location: i for i, c in enumerate(self.data.clients)}
        routes = []
        for tour in tours:
            locs = list(tour.locations)
            home = self.data.vehicle_types[tour.vehicle_type].end_location
            if locs and home in self.virtual_end and locs[-1] not in client_index:
                locs.pop()
            acts = [
                Activity(ActivityType.CLIENT, client_index[loc])
                if loc in client_index
                else Activity(ActivityType.DEPOT, self.depot_index[loc])
                for loc in locs
            ]
            if acts:
                routes.append(PyRoute(self.pyvrp, acts, tour.vehicle_type))
        return PySolution(self.pyvrp, routes)

    def route(self, r) -> Route:  # noqa: ANN001 - a pyvrp Route
        """Our route for a PyVRP route: visits in order, final unload expanded."""
        vt_idx = r.vehicle_type()
        home = self.data.vehicle_types[vt_idx].end_location
        locs: list[int] = []
        clients = self.data.clients
        for act in r.schedule():
            if act.is_client():
                locs.append(clients[act.idx].location)
            elif act.is_depot():
                loc = self.depot_locs[act.idx]
                kinds = self.data.kinds
                if loc < len(kinds) and kinds[loc] == LocationKind.DISPOSAL:
                    locs.append(loc)
        final_unload = home in self.virtual_end and locs
        if final_unload and self.data.kinds[locs[-1]] != LocationKind.DISPOSAL:
            locs.append(self.via[(locs[-1], home)])
        start = int(r.start_time())
        route = make_route(self.data, vt_idx, locs, start)
        return _with_break(self.data, route)

    def unload_routes(self, routes: list[Route]) -> list[Route]:
        """A trip to unload for each vehicle that starts with a load and got no route."""
        data = self.data
        out: list[Route] = []
        if not data.disposal_sites:
            return out
        for t, vt in enumerate(data.vehicle_types):
            idle = vt.num_available - sum(r.vehicle_type == t for r in routes)
            if any(vt.initial_load) and idle > 0:
                site = self.via[(vt.start_location, vt.end_location)]
                out += [_with_break(data, make_route(data, t, [site])) for _ in range(idle)]
        return out


def _with_break(data: Problem, route: Route) -> Route:
    """Insert the driver break at the first gap it fits, if the route needs one."""
    brk = data.driver_break
    if brk is None or route.end_s <= brk.latest_start_s:
        return route
    vt = data.vehicle_types[route.vehicle_type]
    locs = route.locations
    for start in dict.fromkeys((route.start_s, vt.shift_start_s)):
        plain = make_route(data, route.vehicle_type, locs, start)
        ready = [start] + [v.end_s for v in plain.visits]
        for k in range(-1, len(locs)):
            b = max(ready[k + 1], brk.earliest_start_s)
            if b > brk.latest_start_s:
                break
            cand = make_route(data, route.vehicle_type, locs, start, b, k)
            if _fits(data, cand):
                return cand
    return route


def _fits(data: Problem, route: Route) -> bool:
    vt = data.vehicle_types[route.vehicle_type]
    late = {c.location: c.tw_late_s for c in data.clients}
    return (
        route.end_s <= vt.shift_end_s
        and route.duration_s <= vt.max_duration_s
        and all(v.start_s <= late.get(v.location, v.start_s) for v in route.visits)
    )


def _search(
    mapping: _Mapping,
    seed: int,
    deadline: float,
    budget: tuple[int | None, int | None],
    start: list[Tour] | None = None,
) -> PySolution:
    """PyVRP's iterated local search (as ``pyvrp.solve``) from the better start.

    It stops at ``deadline`` unless ``budget`` (max iterations, max iterations without
    improvement) sets an iteration budget.

    The starts are PyVRP's own (a random solution) and the nearest-neighbour construction,
    each improved by one exhaustive local search under the maximum penalties.
    """
    data = mapping.pyvrp
    params = SolveParams()
    if data.num_clients >= LARGE_FROM:
        params = SolveParams(neighbourhood=NeighbourhoodParams(num_neighbours=NEAR_LARGE))
    rng = RandomNumberGenerator(seed=seed)
    ls = LocalSearch(
        data,
        rng,
        compute_neighbours(data, params.neighbourhood),
        PerturbationManager(params.perturbation),
    )
    for op in params.operators:
        if op.supports(data):
            ls.add_operator(op(data))
    pm = PenaltyManager(params.penalty.midpoint_penalties(data), params.penalty)
    strict = pm.max_cost_evaluator()
    starts = []
    tours = start if start is not None else nearest_neighbour_tours(mapping.data)
    if tours:
        try:
            starts.append(ls(mapping.warm_start(tours), strict, exhaustive=True))
        except (ValueError, IndexError):  # tours PyVRP cannot represent: keep its own start
            pass
    if not starts or data.num_clients <= RANDOM_START_MAX_CLIENTS:
        starts.append(ls(PySolution.make_random(data, rng), strict, exhaustive=True))
    init = min(starts, key=strict.penalised_cost)
    ils = IteratedLocalSearch(data, pm, ls, init, params.ils)
    return ils.run(_stop(deadline, *budget), collect_stats=False).best


def _stop(
    deadline: float, max_iterations: int | None, max_no_improvement: int | None
) -> StoppingCriterion:
    """The stopping criterion: the iteration budget if one is set, else the wall clock."""
    criteria: list[StoppingCriterion] = []
    if max_iterations is not None:
        criteria.append(MaxIterations(max_iterations))
    if max_no_improvement is not None:
        criteria.append(NoImprovement(max_no_improvement))
    if not criteria:
        return MaxRuntime(max(0.01, deadline - time.perf_counter()))
    return criteria[0] if len(criteria) == 1 else MultipleCriteria(criteria)


def solve_problem(
    data: Problem,
    time_limit_s: float,
    seed: int = 0,
    *,
    max_iterations: int | None = None,
    max_no_improvement: int | None = None,
    decompose: bool = True,
) -> Solution:
    """Solve ``data`` with PyVRP's iterated local search for ``time_limit_s`` seconds.

    With ``max_iterations`` and/or ``max_no_improvement`` (positive) the search stops after that
    many iterations instead and ``time_limit_s`` is ignored: reproducible on any machine.
    ``decompose=False`` keeps a whole-city day on the whole-problem search (the portfolio then
    re-optimises route groups itself, on both processes).
    """
    for name, n in (("max_iterations", max_iterations), ("max_no_improvement", max_no_improvement)):
        if n is not None and n <= 0:
            raise ValueError(f"{name} must be positive.")
    t0 = time.perf_counter()
    budget = (max_iterations, max_no_improvement)
    big = (
        decompose
        and len(data.clients) > DECOMPOSE_FROM
        and budget == (None, None)
        and decomposable(data)
    )
    first_deadline = t0 + time_limit_s * (GLOBAL_SHARE if big else 1.0)
    mapping = _Mapping(data)
    best = _search(mapping, seed, first_deadline, budget)
    routes = [mapping.route(r) for r in best.routes()]
    routes += mapping.unload_routes(routes)
    notes: tuple[str, ...] = ()
    if big and best.is_feasible() and is_feasible(data, make_solution(data, routes, NAME, 0.0)):
        before = objective(data, routes)
        routes = improve_by_groups(
            data,
            routes,
            solve_routes,
            t0 + time_limit_s,
            seed,
            lambda cand: is_feasible(data, make_solution(data, cand, NAME, 0.0)),
        )
        notes = (f"pyvrp: route groups re-optimised, {before} -> {objective(data, routes)}",)
    sol = make_solution(data, routes, NAME, time.perf_counter() - t0)
    if not best.is_feasible():
        return replace(sol, notes=("pyvrp: best solution infeasible",))
    return replace(sol, notes=notes)


def solve_routes(
    data: Problem, start: list[Route], time_limit_s: float, seed: int
) -> list[Route] | None:
    """A sub-problem's routes after ``time_limit_s`` of search from ``start``; None if the
    result is not feasible (as the checker judges it)."""
    deadline = time.perf_counter() + time_limit_s
    mapping = _Mapping(data)
    tours = [Tour(0, r.vehicle_type, tuple(r.locations), r.start_s) for r in start]
    best = _search(mapping, seed, deadline, (None, None), tours)
    routes = [mapping.route(r) for r in best.routes()]
    routes += mapping.unload_routes(routes)
    ok = best.is_feasible() and is_feasible(data, make_solution(data, routes, NAME, 0.0))
    return routes if ok else None
