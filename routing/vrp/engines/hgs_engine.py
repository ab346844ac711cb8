"""HGS-CVRP engine (Vidal 2022, through ``hygese``): the only module importing :mod:`hygese`.

HGS-CVRP solves the plain capacitated VRP only: one depot where every route starts and ends,
one vehicle type with a single capacity, every client required, no time window, shift, break or
disposal site, symmetric distances, and distance as the whole objective. :func:`supports` says
whether ``data`` is such a problem, and also that it is inside what the library accepts: its
C++ core refuses a maximum distance or demand outside [0.1, 100,000] and a fleet too small for
the total demand by throwing an exception that ``hygese`` turns into a crash of the process (a
segmentation fault), and it never returns on a single client, so such problems never reach it.
:func:`solve_problem` refuses anything :func:`supports` does not take.

Mapping: HGS node 0 is the depot, node ``i`` (1..n) the ``i``-th client; the distance matrix is
the sub-matrix of those locations, passed as is (integer metres). The fleet is HGS's maximum
number of vehicles. HGS stops on its own clock (the process's CPU time, which is the wall
clock in the portfolio's one-process-per-core workers); with no restart limit the genetic search
keeps improving one population for the whole budget.
"""

from __future__ import annotations

import math
import time

import numpy as np

from routing.vrp.model import ProblemData
from routing.vrp.problem_kind import single_depot_cvrp
from routing.vrp.solution import Solution, make_route, make_solution

NAME = "hgs"
# HGS restarts its population after this many iterations without improvement; far above what a
# minute reaches, so one population evolves for the whole budget.
NO_RESTART = 1_000_000_000
# HGS-CVRP's numeric safeguards (Params.cpp): a maximum distance and demand outside this range
# abort it.
SCALE_MIN, SCALE_MAX = 0.1, 100_000
# With a single client HGS-CVRP never returns (measured: still running 20 s into a 0.2 s limit).
MIN_CLIENTS = 2


def supports(data: ProblemData) -> bool:
    """Whether ``data`` is a plain CVRP that HGS-CVRP models exactly and accepts."""
    if not single_depot_cvrp(data):
        return False
    vt = data.vehicle_types[0]
    if len(vt.capacity) != 1 or vt.capacity[0] <= 0 or len(data.clients) < MIN_CLIENTS:
        return False
    nodes = [data.depots[0].location, *(c.location for c in data.clients)]
    sub = data.distance[np.ix_(nodes, nodes)]
    demand = [c.demand[0] for c in data.clients]
    return (
        vt.fixed_cost == 0
        and vt.distance_cost > 0
        and bool(np.array_equal(sub, sub.T))
        # the library's own limits (see the module docstring)
        and SCALE_MIN <= max(demand) <= SCALE_MAX
        and SCALE_MIN <= int(sub.max()) <= SCALE_MAX
        and vt.num_available >= math.ceil(sum(demand) / vt.capacity[0])
    )


def solve_problem(data: ProblemData, time_limit_s: float, seed: int = 0) -> Solution:
    """HGS-CVRP's best plan for ``data`` after ``time_limit_s`` seconds (ValueError if ``data``
    is not a plain CVRP, see :func:`supports`)."""
    if not supports(data):
        raise ValueError(
            "the hgs engine solves plain CVRP only (one depot and vehicle type, one capacity, "
            "required clients, no time windows, shifts, breaks or disposal sites) within "
            "HGS-CVRP's limits (two clients or more, a fleet for the total demand, distances "
            "and demands up to 100,000)."
        )
    if time_limit_s <= 0:
        raise ValueError("time_limit_s must be positive.")
    import hygese  # lazily: only the process running this engine loads the C library

    t0 = time.perf_counter()
    vt = data.vehicle_types[0]
    nodes = [data.depots[0].location, *(c.location for c in data.clients)]
    demand = np.array([0, *(c.demand[0] for c in data.clients)], dtype=float)
    params = hygese.AlgorithmParameters(
        timeLimit=float(time_limit_s), seed=int(seed), nbIter=NO_RESTART
    )
    result = hygese.Solver(parameters=params, verbose=False).solve_cvrp(
        {
            "distance_matrix": data.distance[np.ix_(nodes, nodes)].astype(float),
            "demands": demand,
            "vehicle_capacity": float(vt.capacity[0]),
            "num_vehicles": int(vt.num_available),
        },
        rounding=True,
    )
    routes = [make_route(data, 0, [nodes[i] for i in path]) for path in result.routes if path]
    return make_solution(data, routes, NAME, time.perf_counter() - t0)
