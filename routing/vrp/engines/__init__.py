"""Solver engines: each maps :class:`~routing.vrp.model.ProblemData` to one solver library.

Every engine module exposes ``NAME`` and ``solve_problem(data, time_limit_s, seed) ->
Solution`` and is the only module importing its library, imported lazily by name so that a
process running one engine never loads the other.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from routing.vrp.model import ProblemData
from routing.vrp.solution import Solution

ENGINES = {
    "hgs": "routing.vrp.engines.hgs_engine",
    "ortools": "routing.vrp.engines.ortools_engine",
    "pyvrp": "routing.vrp.engines.pyvrp_engine",
}

# The engines that model every problem the platform builds (disposal trips, shifts, breaks,
# optional clients, trucks starting mid-route with a load); "hgs" takes plain CVRP only.
GENERAL = ("ortools", "pyvrp")

Solver = Callable[[ProblemData, float, int], Solution]


def get(name: str) -> Solver:
    """The ``solve_problem`` function of engine ``name``; ValueError for an unknown name."""
    if name not in ENGINES:
        raise ValueError(f"unknown engine {name!r}; choose from {sorted(ENGINES)}.")
    return importlib.import_module(ENGINES[name]).solve_problem
