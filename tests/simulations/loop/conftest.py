"""Session fixtures of the closed-loop tests."""

from __future__ import annotations

import pytest

from simulations.loop.scenario import Scenario
from tests.simulations.loop.grid import grid_scenario


@pytest.fixture(scope="session")
def grid() -> Scenario:
    """24 bins, 2 trucks, on the synthetic grid."""
    return grid_scenario()
