"""The VRPLIB / CVRPLIB file adapter: parsing, distance convention, .sol round trip."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.settings import DEFAULT_DATA_DIR
from routing.vrp.checker import check
from routing.vrp.solution import make_route, make_solution
from routing.vrp.vrplib import (
    VrplibFormatError,
    format_sol,
    parse_sol,
    parse_vrp,
    read_sol,
    read_vrp,
    write_sol,
)

X_DIR = DEFAULT_DATA_DIR / "cvrplib" / "X"

TINY = """NAME : tiny-k2
TYPE : CVRP
DIMENSION : 4
EDGE_WEIGHT_TYPE : EUC_2D
CAPACITY : 10
NODE_COORD_SECTION
1 0 0
2 3 4
3 0 2
4 1 1
DEMAND_SECTION
1 0
2 6
3 5
4 4
DEPOT_SECTION
1
-1
EOF
"""


def test_parse_tiny_instance() -> None:
    """Depot becomes location 0, node k location k-1, with demands and capacity."""
    inst = parse_vrp(TINY)
    data = inst.data
    assert inst.name == "tiny-k2"
    assert [c.demand for c in data.clients] == [(6,), (5,), (4,)]
    assert data.vehicle_types[0].capacity == (10,)
    assert inst.min_vehicles == 2


def test_distances_are_rounded_euclidean() -> None:
    """EUC_2D distances are round(sqrt(dx² + dy²)), also used as durations."""
    data = parse_vrp(TINY).data
    assert data.distance[0, 1] == 5  # 3-4-5
    assert data.distance[0, 3] == 1  # sqrt(2) = 1.41 -> 1
    assert data.distance[1, 3] == 4  # sqrt(4 + 9) = 3.61 -> 4
    assert (data.duration == data.distance).all()


def test_fleet_defaults_to_k_plus_slack_and_can_be_set() -> None:
    """The fleet is k + max(3, 10 %) vehicles unless num_vehicles says otherwise."""
    assert parse_vrp(TINY).data.vehicle_types[0].num_available == 5
    assert parse_vrp(TINY, num_vehicles=2).data.vehicle_types[0].num_available == 2


def test_unsupported_edge_weight_type_is_refused() -> None:
    """Anything but EUC_2D raises a format error naming the instance."""
    with pytest.raises(VrplibFormatError, match="EUC_2D"):
        parse_vrp(TINY.replace("EUC_2D", "EXPLICIT"))


def test_parse_sol() -> None:
    """Route lines and the Cost line are read."""
    sol = parse_sol("Route #1: 1 3\nRoute #2: 2\nCost 21\n")
    assert sol.routes == ((1, 3), (2,))
    assert sol.cost == 21


def test_sol_without_cost_is_refused() -> None:
    """A .sol file lacking its Cost line is a format error."""
    with pytest.raises(VrplibFormatError, match="Cost"):
        parse_sol("Route #1: 1 2\n")


@given(
    st.lists(st.lists(st.integers(1, 999), min_size=1, max_size=6), max_size=6),
    st.integers(0, 10**7),
)
def test_sol_round_trip(routes: list[list[int]], cost: int) -> None:
    """format_sol then parse_sol gives back the routes and the cost."""
    sol = parse_sol(format_sol(routes, cost))
    assert [list(r) for r in sol.routes] == routes
    assert sol.cost == cost


def test_write_sol(tmp_path: Path) -> None:
    """A solution is written as CVRPLIB text with its total distance as cost."""
    data = parse_vrp(TINY).data
    sol = make_solution(data, [make_route(data, 0, [1]), make_route(data, 0, [2, 3])], "t", 0)
    write_sol(tmp_path / "tiny.sol", sol)
    back = read_sol(tmp_path / "tiny.sol")
    assert back.routes == ((1,), (2, 3))
    assert back.cost == 10 + (2 + 1 + 1) == sol.distance_m


@pytest.fixture(scope="session")
def x101() -> Path:
    """The X-n101-k25 instance of the shared data; skipped when absent."""
    path = X_DIR / "X-n101-k25.vrp"
    if not path.exists():
        pytest.skip("shared CVRPLIB data not present")
    return path


def test_best_known_solution_is_feasible_and_its_cost_matches(x101: Path) -> None:
    """The published X-n101-k25 solution passes the checker at exactly its stated cost."""
    inst = read_vrp(x101)
    bks = read_sol(x101.with_suffix(".sol"))
    routes = [make_route(inst.data, 0, list(r)) for r in bks.routes]
    sol = make_solution(inst.data, routes, "bks", 0.0)
    assert check(inst.data, sol) == []
    assert sol.distance_m == bks.cost == 27591
