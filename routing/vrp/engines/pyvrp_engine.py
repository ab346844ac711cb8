"""PyVRP engine: with :mod:`.pyvrp_mapping` the only modules importing :mod:`pyvrp`.

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

from pyvrp import (
    IteratedLocalSearch,
    PenaltyManager,
    RandomNumberGenerator,
    SolveParams,
)
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
from routing.vrp.engines.pyvrp_mapping import Mapping
from routing.vrp.model import ProblemData as Problem
from routing.vrp.problem_kind import whole_city
from routing.vrp.solution import Route, Solution, make_solution

NAME = "pyvrp"
# Above this many clients the random start is skipped when the construction gives one: its
# exhaustive local search takes seconds of the budget (on a 4,500-bin day, most of a short
# run's time), which the iterated search then lacks.
RANDOM_START_MAX_CLIENTS = 1000
# From this many clients the granular neighbourhood is narrowed to NEAR_LARGE neighbours (PyVRP's
# default is 50): each local search is then about twice as fast, and in a minute on X-n1001-k43
# the search ends 2.1 % above best known instead of 2.8 %; on the 1,000-bin benchmark day (60 s,
# its default city and seed 1) 193,229 and 192,722 against 194,993 and 194,304 with 50. Not on
# a city day (disposal trips, shifts, windows) above WHOLE_CITY_FROM clients: on the 6,000-bin
# day at 120 s (one process, two cities) 10 neighbours gave 838,821 and 846,834, 20 gave 812,527
# and 827,256, 40 gave 795,899 and 819,951, 60 gave 792,276 and 817,840 (2026-12-01), so such
# days keep PyVRP's 50.
LARGE_FROM = 500
NEAR_LARGE = 20


def _search(
    mapping: Mapping,
    seed: int,
    deadline: float,
    budget: tuple[int | None, int | None],
    start: list[Tour] | None = None,
) -> PySolution:
    """PyVRP's iterated local search (as ``pyvrp.solve``) from the better start.

    It stops at ``deadline`` unless ``budget`` (max iterations, max iterations without
    improvement) sets an iteration budget.

    The starts are PyVRP's own (a random solution) and ``start`` (by default the
    nearest-neighbour construction), each improved by one exhaustive local search under the
    maximum penalties.
    """
    data = mapping.pyvrp
    params = SolveParams()
    if data.num_clients >= LARGE_FROM and not whole_city(mapping.data):
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
            warm = mapping.warm_start(tours)
            starts.append(ls(warm, strict, exhaustive=True))
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
) -> Solution:
    """Solve ``data`` with PyVRP's iterated local search for ``time_limit_s`` seconds.

    With ``max_iterations`` and/or ``max_no_improvement`` (positive) the search stops after that
    many iterations instead and ``time_limit_s`` is ignored: reproducible on any machine.
    A whole-city day is searched whole: on the 6,000-bin day (120 s, one process, 20
    neighbours) that gave 806,705 (2026-12-01) where a fifth of the time on the whole problem
    and the rest on route groups had given 827,860 (2026-11-30).
    """
    for name, n in (("max_iterations", max_iterations), ("max_no_improvement", max_no_improvement)):
        if n is not None and n <= 0:
            raise ValueError(f"{name} must be positive.")
    t0 = time.perf_counter()
    mapping = Mapping(data)
    best = _search(mapping, seed, t0 + time_limit_s, (max_iterations, max_no_improvement))
    routes = [mapping.route(r) for r in best.routes()]
    routes += mapping.unload_routes(routes)
    sol = make_solution(data, routes, NAME, time.perf_counter() - t0)
    if not best.is_feasible():
        return replace(sol, notes=("pyvrp: best solution infeasible",))
    return sol


def solve_routes(
    data: Problem, start: list[Route], time_limit_s: float, seed: int
) -> list[Route] | None:
    """A sub-problem's routes after ``time_limit_s`` of search from ``start``; None if the
    result is not feasible (as the checker judges it)."""
    deadline = time.perf_counter() + time_limit_s
    tours = [Tour(0, r.vehicle_type, tuple(r.locations), r.start_s) for r in start]
    mapping = Mapping(data)
    best = _search(mapping, seed, deadline, (None, None), tours)
    routes = [mapping.route(r) for r in best.routes()]
    routes += mapping.unload_routes(routes)
    ok = best.is_feasible() and is_feasible(data, make_solution(data, routes, NAME, 0.0))
    return routes if ok else None
