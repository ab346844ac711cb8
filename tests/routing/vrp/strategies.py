"""Hypothesis strategies shared by the solver tests: small feasible routing instances."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from routing.vrp.model import Model, ProblemData

CAPACITY = (10, 8)


def matrices(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Duration and distance matrices for points ``xy`` on a 10 m grid."""
    dist = np.rint(10 * np.hypot(*(xy[:, None] - xy[None]).transpose(2, 0, 1))).astype(int)
    return dist // 5, dist  # ~18 km/h in town, with stops


@st.composite
def problems(draw: st.DrawFn) -> ProblemData:
    """Feasible random instances: reloads, optional clients, windows, shifts and breaks."""
    n = draw(st.integers(2, 7))
    sites = draw(st.booleans())
    m = Model()
    depot = m.add_depot()
    for _ in range(n):
        early = draw(st.sampled_from([0, 0, 600, 1_800]))
        m.add_client(
            (draw(st.integers(0, CAPACITY[0])), draw(st.integers(0, CAPACITY[1]))),
            service_s=draw(st.integers(0, 120)),
            required=draw(st.booleans()),
            prize=draw(st.integers(0, 5_000)),
            time_window=(early, early + 40_000),
        )
    if sites:
        for _ in range(draw(st.integers(1, 2))):
            m.add_disposal_site(unload_s=draw(st.integers(0, 300)))
    m.add_vehicle_type(
        draw(st.integers(1, 2)) if sites else n,
        CAPACITY,
        depot,
        shift_start_s=0,
        shift_end_s=60_000,
        max_duration_s=50_000,
        fixed_cost=draw(st.integers(0, 100)),
    )
    if draw(st.booleans()):
        m.set_driver_break(600, 300, 3_000)
    xy = np.array(
        draw(
            st.lists(
                st.tuples(st.integers(0, 300), st.integers(0, 300)),
                min_size=len(m._kinds),
                max_size=len(m._kinds),
            )
        )
    )
    m.set_matrices(*matrices(xy))
    return m.data()


def long_day() -> ProblemData:
    """Six 30-minute clients on one truck's 06-14 shift with a 30-min break at 8:30-9:30."""
    m = Model()
    depot = m.add_depot()
    for _ in range(6):
        m.add_client((1, 1), service_s=1_800)
    m.add_disposal_site(unload_s=600)
    m.add_vehicle_type(1, CAPACITY, depot, shift_start_s=21_600, shift_end_s=50_400)
    m.set_matrices(
        np.full((8, 8), 300) - 300 * np.eye(8, dtype=int),
        np.full((8, 8), 2_000) - 2_000 * np.eye(8, dtype=int),
    )
    m.set_driver_break(1_800, 30_600, 34_200)  # 30 min starting 8:30-9:30
    return m.data()


@st.composite
def problems_with_starts(draw: st.DrawFn) -> ProblemData:
    """Feasible random instances whose trucks start and end at depots or plain locations,
    some carrying a load at the start (only what still leaves room when nothing can unload)."""
    n = draw(st.integers(1, 6))
    sites = draw(st.booleans())
    m = Model()
    depots = [m.add_depot() for _ in range(draw(st.integers(1, 2)))]
    demands = [
        (draw(st.integers(0, CAPACITY[0])), draw(st.integers(0, CAPACITY[1]))) for _ in range(n)
    ]
    for q in demands:
        m.add_client(
            q,
            service_s=draw(st.integers(0, 120)),
            required=draw(st.booleans()),
            prize=draw(st.integers(0, 5_000)),
        )
    if sites:
        for _ in range(draw(st.integers(1, 2))):
            m.add_disposal_site(unload_s=draw(st.integers(0, 300)))
    room = [CAPACITY[d] - (max(q[d] for q in demands) if not sites else 0) for d in range(2)]
    types = draw(st.integers(1, 3)) if sites else 1
    for _ in range(types):
        depot = draw(st.sampled_from(depots))
        start = m.add_location() if draw(st.booleans()) else draw(st.sampled_from(depots))
        end = m.add_location() if draw(st.booleans()) else depot
        m.add_vehicle_type(
            draw(st.integers(1, 2)) if sites else n,
            CAPACITY,
            depot,
            shift_start_s=draw(st.sampled_from([0, 0, 1_200])),
            shift_end_s=60_000,
            max_duration_s=50_000,
            fixed_cost=draw(st.integers(0, 100)),
            start_location=start,
            end_location=end,
            initial_load=(draw(st.integers(0, room[0])), draw(st.integers(0, room[1]))),
        )
    if draw(st.booleans()):
        m.set_driver_break(600, 1_500, 3_000)
    n_loc = len(m._kinds)
    points = st.tuples(st.integers(0, 300), st.integers(0, 300))
    xy = np.array(draw(st.lists(points, min_size=n_loc, max_size=n_loc)))
    m.set_matrices(*matrices(xy))
    return m.data()
