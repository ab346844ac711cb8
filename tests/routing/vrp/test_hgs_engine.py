"""The HGS-CVRP engine: which problems it takes, and a checked plan on one it takes."""

from __future__ import annotations

import numpy as np
import pytest

from routing.vrp.checker import check
from routing.vrp.engines import hgs_engine
from routing.vrp.model import Model, ProblemData


def _model(n: int, seed: int = 5) -> tuple[Model, int, np.ndarray]:
    """``n`` clients around one depot (Euclidean metres), no vehicle type yet."""
    rng = np.random.default_rng(seed)
    m = Model()
    depot = m.add_depot()
    for _ in range(n):
        m.add_client(int(rng.integers(1, 5)))
    xy = rng.integers(0, 1_000, (n + 1, 2))
    dist = np.rint(np.hypot(*(xy[:, None] - xy[None]).transpose(2, 0, 1))).astype(int)
    return m, depot, dist


def _grown(dist: np.ndarray) -> np.ndarray:
    """The matrix with one more location, 100 m from every other."""
    big = np.pad(dist, ((0, 1), (0, 1)), constant_values=100)
    np.fill_diagonal(big, 0)
    return big


def _cvrp(n: int = 25, fleet: int | None = None, scale: int = 1) -> ProblemData:
    m, depot, dist = _model(n)
    m.add_vehicle_type(n if fleet is None else fleet, 15, depot)
    m.set_matrices(dist * scale, dist * scale)
    return m.data()


def test_solves_a_plain_cvrp_with_a_checked_plan() -> None:
    """Every client served once, within capacity and fleet, at the objective it reports."""
    data = _cvrp()
    sol = hgs_engine.solve_problem(data, 0.5, seed=1)
    assert sol.engine == "hgs"
    assert check(data, sol) == []
    served = sorted(loc for r in sol.routes for loc in r.locations)
    assert served == sorted(c.location for c in data.clients)
    assert sol.objective == sum(r.distance_m for r in sol.routes)


def test_takes_only_what_it_models() -> None:
    """A time window, an asymmetric matrix, a disposal site or a fixed cost is not plain CVRP:
    supports() says no and solve_problem refuses with a message."""
    assert hgs_engine.supports(_cvrp())
    m, depot, dist = _model(6)
    m.add_client(2, time_window=(0, 3_600))
    m.add_vehicle_type(3, 15, depot)
    m.set_matrices(_grown(dist), _grown(dist))
    windowed = m.data()
    m, depot, dist = _model(6)
    m.add_vehicle_type(3, 15, depot)
    skew = dist.copy()
    skew[0, 1] += 1
    m.set_matrices(skew, skew)
    asymmetric = m.data()
    m, depot, dist = _model(6)
    m.add_disposal_site()
    m.add_vehicle_type(3, 15, depot)
    m.set_matrices(_grown(dist), _grown(dist))
    disposal = m.data()
    m, depot, dist = _model(6)
    m.add_vehicle_type(3, 15, depot, fixed_cost=1_000)
    m.set_matrices(dist, dist)
    fixed = m.data()
    for data in (windowed, asymmetric, disposal, fixed):
        assert not hgs_engine.supports(data)
        with pytest.raises(ValueError, match="plain CVRP only"):
            hgs_engine.solve_problem(data, 0.1)


def test_refuses_what_the_library_would_crash_on() -> None:
    """HGS-CVRP aborts the whole process (a segmentation fault through hygese) on a fleet too
    small for the total demand, or distances beyond its 100,000 limit, and never returns on a
    single client: supports() keeps such problems away from it, so the portfolio gives them to
    PyVRP."""
    data = _cvrp(30)
    need = -(-sum(c.demand[0] for c in data.clients) // 15)
    assert hgs_engine.supports(_cvrp(30, fleet=need))
    assert not hgs_engine.supports(_cvrp(30, fleet=need - 1))
    assert not hgs_engine.supports(_cvrp(30, scale=1_000))  # distances up to about 1,400 km
    assert not hgs_engine.supports(_cvrp(1)) and hgs_engine.supports(_cvrp(2))
    with pytest.raises(ValueError, match="plain CVRP only"):
        hgs_engine.solve_problem(_cvrp(30, fleet=need - 1), 0.1)
