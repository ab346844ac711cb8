"""Clarke-Wright parallel savings: OR-Tools' warm start on large plain CVRPs. Pure (numpy)."""

from __future__ import annotations

import numpy as np

from routing.vrp.model import ProblemData

SAVINGS_NEIGHBOURS = 40


def savings_routes(data: ProblemData) -> list[list[int]] | None:
    """Clarke-Wright parallel savings over each client's nearest neighbours (plain CVRP).

    Returns client-location routes, or None when they need more vehicles than available.
    """
    vt = data.vehicle_types[0]
    depot, cap = vt.depot, np.array(vt.capacity)
    clients = np.array([c.location for c in data.clients])
    d = data.distance
    k = min(SAVINGS_NEIGHBOURS, len(clients) - 1)
    sub = d[np.ix_(clients, clients)].astype(float)
    np.fill_diagonal(sub, np.inf)
    near = np.argpartition(sub, k, axis=1)[:, :k] if k > 0 else np.zeros((len(clients), 0), int)
    i_idx = np.repeat(np.arange(len(clients)), near.shape[1])
    j_idx = near.ravel()
    a, b = clients[i_idx], clients[j_idx]
    saving = d[a, depot] + d[depot, b] - d[a, b]
    order = np.argsort(-saving, kind="stable")
    route_of = {int(c): [int(c)] for c in clients}
    load = {id(r): np.array(data.client_at(r[0]).demand) for r in route_of.values()}
    for t in order:
        if saving[t] <= 0:
            break
        i, j = int(a[t]), int(b[t])
        ri, rj = route_of[i], route_of[j]
        if ri is rj or i not in (ri[0], ri[-1]) or j not in (rj[0], rj[-1]):
            continue  # i and j must end different routes to be joined by the arc i - j
        merged_load = load[id(ri)] + load[id(rj)]
        if (merged_load > cap).any():
            continue
        merged = (ri if ri[-1] == i else ri[::-1]) + (rj if rj[0] == j else rj[::-1])
        load[id(merged)] = merged_load
        for c in merged:
            route_of[c] = merged
    routes = list({id(r): r for r in route_of.values()}.values())
    return routes if len(routes) <= vt.num_available else None
