"""Which kind of problem a ProblemData is: the plain-CVRP predicates the engines are chosen by."""

from __future__ import annotations

import numpy as np
import pytest

from routing.vrp.model import Model, ProblemData
from routing.vrp.problem_kind import single_depot_cvrp, untimed_cvrp


def _plain(
    *, disposal: bool = False, window: bool = False, shift: bool = False, pause: bool = False
) -> ProblemData:
    m = Model()
    depot = m.add_depot()
    m.add_client(1, time_window=(0, 3600) if window else None)
    m.add_client(1)
    if disposal:
        m.add_disposal_site(unload_s=60)
    m.add_vehicle_type(2, 5, depot, **({"shift_end_s": 7200} if shift else {}))
    if pause:
        m.set_driver_break(1800, 0, 3600)
    n = 4 if disposal else 3
    m.set_matrices(10 - 10 * np.eye(n, dtype=int), 10 - 10 * np.eye(n, dtype=int))
    return m.data()


@pytest.mark.parametrize("timed", ["disposal", "window", "shift", "pause"])
def test_untimed_cvrp_is_capacities_only(timed: str) -> None:
    """A disposal site, a time window, a shift end or a break each make a problem timed."""
    assert untimed_cvrp(_plain())
    assert not untimed_cvrp(_plain(**{timed: True}))


def test_single_depot_cvrp_is_the_textbook_cvrp() -> None:
    """Untimed, one depot and one fleet starting and ending there empty, every client required."""
    assert single_depot_cvrp(_plain())
    assert not single_depot_cvrp(_plain(shift=True))  # timed
    m = Model()
    depot = m.add_depot()
    m.add_client(1)
    m.add_client(1, required=False, prize=5)
    m.add_vehicle_type(2, 5, depot)
    m.set_matrices(10 - 10 * np.eye(3, dtype=int), 10 - 10 * np.eye(3, dtype=int))
    assert not single_depot_cvrp(m.data())  # an optional client
    m = Model()
    depot, _ = m.add_depot(), m.add_depot()
    m.add_client(1)
    m.add_vehicle_type(2, 5, depot)
    m.set_matrices(10 - 10 * np.eye(3, dtype=int), 10 - 10 * np.eye(3, dtype=int))
    assert not single_depot_cvrp(m.data())  # two depots
