"""A problem cut down to some locations: matrices and every location index follow."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from routing.vrp.model import Model
from routing.vrp.restrict import restrict


def test_a_cut_problem_keeps_its_distances_under_new_indices() -> None:
    m = Model()
    depot = m.add_depot()
    clients = [m.add_client(2, service_s=10 * i) for i in range(4)]
    site = m.add_disposal_site(unload_s=60)
    m.add_vehicle_type(3, 10, depot)
    rng = np.random.default_rng(1)
    dist = rng.integers(1, 500, (6, 6)) * (1 - np.eye(6, dtype=int))
    m.set_matrices(dist // 2, dist)
    data = m.data()
    keep = [depot, clients[1], clients[3], site]
    vt = replace(data.vehicle_types[0], num_available=1)
    cut = restrict(data, keep, [data.client_at(clients[3]), data.client_at(clients[1])], [vt])
    assert [c.location for c in cut.clients] == [2, 1]
    assert [c.service_s for c in cut.clients] == [30, 10]
    assert cut.disposal_sites[0].location == 3 and cut.depots[0].location == 0
    assert cut.vehicle_types[0].num_available == 1 and cut.vehicle_types[0].start_location == 0
    assert (cut.distance == dist[np.ix_(keep, keep)]).all()
    assert (cut.duration == (dist // 2)[np.ix_(keep, keep)]).all()
    assert cut.kinds == tuple(data.kinds[i] for i in keep)
