"""Usage keys keep no more than a coarse cell and an hour of a query."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from parking.usage import usage_key


def test_nearby_queries_share_a_key():
    """Two points 100 m apart in the same cell and hour give the same key."""
    t = datetime(2024, 3, 4, 8, 17, tzinfo=UTC)
    assert usage_key(12.5611, 55.6912, t) == usage_key(12.5623, 55.6905, t.replace(minute=50))


def test_fine_grids_are_refused():
    """A grid finer than 0.005° is rejected as too revealing."""
    with pytest.raises(ValueError):
        usage_key(12.56, 55.69, datetime(2024, 3, 4, tzinfo=UTC), cell_deg=0.0001)
