"""Privacy-preserving usage statistics for parking queries (pure).

The serving path never stores a query's coordinates. If usage is counted at all, count it under
this key: the point snapped to a coarse grid (default 0.01° ≈ 1.1 km north-south, 0.6 km
east-west in Copenhagen) and the hour, so no individual trip can be read back from the log.
"""

from __future__ import annotations

import math
from datetime import datetime


def usage_key(
    lon: float, lat: float, at: datetime, cell_deg: float = 0.01
) -> tuple[float, float, str]:
    """(cell lon, cell lat, UTC hour) for aggregate counts; the cell's south-west corner."""
    if cell_deg < 0.005:
        raise ValueError("cell_deg below 0.005° would log near-exact locations.")
    if at.tzinfo is None:
        raise ValueError("at must be timezone-aware.")
    snap = lambda v: round(math.floor(v / cell_deg) * cell_deg, 6)  # noqa: E731
    return snap(lon), snap(lat), at.strftime("%Y-%m-%dT%H:00%z")
