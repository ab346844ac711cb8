"""A problem cut down to some of its locations, everything re-indexed (pure).

Route groups (:mod:`routing.vrp.engines.decompose`) and merged co-located bins
(:mod:`routing.vrp.colocated`) both search a smaller problem over a subset of the locations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from routing.vrp.model import Client, ProblemData, VehicleType


def restrict(
    data: ProblemData,
    keep: Sequence[int],
    clients: Sequence[Client],
    vehicle_types: Sequence[VehicleType],
) -> ProblemData:
    """``data`` over the locations ``keep`` (in that order; every depot, disposal site and plain
    location among them) with ``clients`` and ``vehicle_types``, both given over ``data``'s
    locations: their locations, like the rest, become positions in ``keep``."""
    new = {loc: i for i, loc in enumerate(keep)}
    full = np.array(keep, dtype=np.int64)
    duration = data.duration[np.ix_(full, full)]
    distance = data.distance[np.ix_(full, full)]
    duration.setflags(write=False)
    distance.setflags(write=False)
    return ProblemData(
        tuple(replace(d, location=new[d.location]) for d in data.depots),
        tuple(replace(c, location=new[c.location]) for c in clients),
        tuple(replace(s, location=new[s.location]) for s in data.disposal_sites),
        tuple(
            replace(
                vt,
                depot=new[vt.depot],
                start_location=new[vt.start_location],
                end_location=new[vt.end_location],
            )
            for vt in vehicle_types
        ),
        tuple(data.kinds[i] for i in keep),
        duration,
        distance,
        data.driver_break,
        tuple(replace(p, location=new[p.location]) for p in data.plain_locations),
    )
