"""The routing problem builder: indexing, immutability and validation messages."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from routing.vrp.model import LocationKind, Model, ProblemData


def _model(n_clients: int = 2, demand: tuple[int, int] = (1, 1)) -> Model:
    m = Model()
    depot = m.add_depot(name="garage")
    for _ in range(n_clients):
        m.add_client(demand, service_s=30)
    m.add_disposal_site(unload_s=600)
    m.add_vehicle_type(2, (10, 5), depot, shift_start_s=0, shift_end_s=3600)
    n = n_clients + 2
    m.set_matrices(1 - np.eye(n, dtype=int), 100 - 100 * np.eye(n, dtype=int))
    return m


def test_locations_are_indexed_in_insertion_order() -> None:
    """add_* return consecutive location indices whatever the kind, and kinds follow them."""
    m = Model()
    assert [m.add_depot(), m.add_client(1), m.add_disposal_site(), m.add_client(2)] == [0, 1, 2, 3]
    m.add_vehicle_type(1, 5, 0)
    m.set_matrices(np.zeros((4, 4)), np.zeros((4, 4)))
    data = m.data()
    assert data.kinds == (
        LocationKind.DEPOT,
        LocationKind.CLIENT,
        LocationKind.DISPOSAL,
        LocationKind.CLIENT,
    )
    assert data.client_at(3).demand == (2,)
    assert data.disposal_at(2).location == 2


def test_data_is_immutable() -> None:
    """ProblemData is frozen and its matrices are read-only."""
    data = _model().data()
    with pytest.raises(dataclasses.FrozenInstanceError):
        data.clients = ()  # type: ignore[misc]
    with pytest.raises(ValueError):
        data.distance[0, 1] = 5


def test_data_is_a_snapshot_of_the_builder() -> None:
    """Changing the builder's input array afterwards does not change the built data."""
    m = _model()
    dist = np.full((4, 4), 100) - 100 * np.eye(4, dtype=int)
    m.set_matrices(np.zeros((4, 4)), dist)
    data = m.data()
    dist[0, 1] = 7
    assert data.distance[0, 1] == 100


def test_multi_dimensional_capacity() -> None:
    """Capacity and demand carry one entry per dimension (volume l, weight kg)."""
    data = _model(demand=(3, 4)).data()
    assert data.num_dimensions == 2
    assert data.vehicle_types[0].capacity == (10, 5)
    assert data.clients[0].demand == (3, 4)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda m: m.add_client((-1, 0)), "non-negative"),
        (lambda m: m.add_client((11, 1)), "exceeds every vehicle"),
        (lambda m: m.add_client((1,)), "dimensions"),
        (lambda m: m.add_client((1, 1), time_window=(50, 10)), "time window"),
        (lambda m: m.add_vehicle_type(0, (1, 1), 0), "num_available"),
        (lambda m: m.add_vehicle_type(1, (1, 1), 1), "not a depot"),
        (lambda m: m.add_vehicle_type(1, (1, 1), 0, shift_start_s=9, shift_end_s=9), "shift"),
        (lambda m: m.set_driver_break(0, 10, 20), "driver break"),
        (lambda m: m.set_driver_break(60, 30, 20), "driver break"),
    ],
)
def test_bad_input_is_rejected_with_a_message(mutate, message: str) -> None:  # noqa: ANN001
    """Each kind of invalid input raises ValueError naming the problem."""
    m = _model()
    mutate(m)
    n = len(m._kinds)
    m.set_matrices(np.zeros((n, n)), np.zeros((n, n)))
    with pytest.raises(ValueError, match=message):
        m.data()


def test_matrix_shape_mismatch_is_rejected() -> None:
    """A matrix that does not match the number of locations is refused."""
    m = _model()
    m.set_matrices(np.zeros((3, 3)), np.zeros((4, 4)))
    with pytest.raises(ValueError, match=r"duration matrix has shape \(3, 3\), expected \(4, 4\)"):
        m.data()


def test_negative_matrix_entries_are_rejected() -> None:
    """Negative travel times or distances are refused."""
    m = _model()
    m.set_matrices(np.zeros((4, 4)), -np.ones((4, 4)))
    with pytest.raises(ValueError, match="distance matrix has negative"):
        m.data()


def test_nonzero_diagonal_is_rejected() -> None:
    """Travel from a location to itself must be free (engines assume it)."""
    m = _model()
    m.set_matrices(np.ones((4, 4)), np.zeros((4, 4)))
    with pytest.raises(ValueError, match="duration matrix diagonal must be zero"):
        m.data()


def test_missing_pieces_are_reported() -> None:
    """Building without matrices, depots or vehicles says what is missing."""
    with pytest.raises(ValueError, match="matrices are not set"):
        Model().data()
    m = Model()
    m.add_client(1)
    m.set_matrices(np.zeros((1, 1)), np.zeros((1, 1)))
    with pytest.raises(ValueError, match="at least one depot"):
        m.data()


@given(st.lists(st.integers(0, 20), min_size=1, max_size=8), st.integers(0, 20))
def test_validation_accepts_exactly_the_demands_that_fit(demands: list[int], cap: int) -> None:
    """data() succeeds iff every demand fits the single vehicle type's capacity."""
    m = Model()
    m.add_depot()
    for q in demands:
        m.add_client(q)
    m.add_vehicle_type(1, cap, 0)
    n = len(demands) + 1
    m.set_matrices(np.zeros((n, n)), np.zeros((n, n)))
    if max(demands) <= cap:
        assert isinstance(m.data(), ProblemData)
    else:
        with pytest.raises(ValueError, match="exceeds every vehicle"):
            m.data()


def test_vehicles_start_and_end_at_their_depot_empty_by_default() -> None:
    """Without start, end or initial load a vehicle type leaves and returns to its depot empty."""
    vt = _model().data().vehicle_types[0]
    assert (vt.start_location, vt.end_location, vt.initial_load) == (0, 0, (0, 0))


def test_a_plain_location_can_start_a_route_with_a_load() -> None:
    """A plain location is a start or end of routes; the initial load is kept per dimension."""
    m = _model()
    here = m.add_location(name="truck 7")
    m.add_vehicle_type(1, (10, 5), 0, start_location=here, end_location=0, initial_load=(9, 5))
    m.set_matrices(np.zeros((5, 5)), np.zeros((5, 5)))
    data = m.data()
    assert data.kinds[here] == LocationKind.PLAIN
    assert data.plain_locations[0].name == "truck 7"
    vt = data.vehicle_types[1]
    assert (vt.start_location, vt.end_location, vt.initial_load) == (here, 0, (9, 5))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start_location": 9}, "start location 9 does not exist"),
        ({"end_location": -1}, "end location -1 does not exist"),
        ({"start_location": 1}, "start location 1 is a client, not a depot or a plain location"),
        ({"end_location": 3}, "end location 3 is a disposal, not a depot or a plain location"),
        ({"initial_load": (11, 0)}, r"initial load \(11, 0\) exceeds capacity \(10, 5\)"),
        ({"initial_load": (0, 6)}, "exceeds capacity"),
        ({"initial_load": (-1, 0)}, "initial load must be non-negative"),
        ({"initial_load": 3}, "initial load has 1 dimensions, not 2"),
    ],
)
def test_bad_start_end_or_initial_load_is_rejected(kwargs: dict, message: str) -> None:
    """Unknown or unusable start/end locations and impossible initial loads raise ValueError."""
    m = _model()
    m.add_vehicle_type(1, (10, 5), 0, **kwargs)
    m.set_matrices(np.zeros((4, 4)), np.zeros((4, 4)))
    with pytest.raises(ValueError, match=message):
        m.data()
