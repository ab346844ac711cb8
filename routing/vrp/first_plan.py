"""A checked plan in seconds: the nearest-neighbour construction, before any search. Pure.

On a whole-city day (thousands of bins) the engines spend their first seconds building their
own data and local-searching a start; :func:`first_plan` returns the construction's plan of
:mod:`routing.vrp.engines.construction` (reload trips, shifts, break, prizes) straight away,
verified by the independent checker, so a caller can report or keep a feasible plan while
the long search runs.
"""

from __future__ import annotations

import time
from dataclasses import replace

from routing.vrp.checker import check
from routing.vrp.engines.construction import nearest_neighbour_tours
from routing.vrp.model import ProblemData
from routing.vrp.solution import Solution, make_route, make_solution

NAME = "construction"


def first_plan(data: ProblemData) -> Solution:
    """The construction's plan, ``feasible`` as the checker judges it.

    When the construction cannot serve every required client the returned solution has no
    routes, ``feasible=False`` and a note saying so.
    """
    t0 = time.perf_counter()
    tours = nearest_neighbour_tours(data)
    if tours is None:
        sol = make_solution(data, [], NAME, time.perf_counter() - t0)
        return replace(sol, notes=("construction: required clients left out",))
    routes = [
        make_route(data, t.vehicle_type, t.locations, t.start_s, t.break_start_s, t.break_after)
        for t in tours
    ]
    sol = make_solution(data, routes, NAME, time.perf_counter() - t0)
    violations = check(data, sol)
    notes = tuple(f"construction: {v.message}" for v in violations[:5])
    return replace(sol, feasible=not violations, notes=notes)
