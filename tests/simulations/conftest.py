"""Session fixtures: the real Copenhagen road network, loaded once."""

from __future__ import annotations

import pytest

from core.settings import DEFAULT_DATA_DIR
from routing.network.graph import RoadNetwork, build_network
from routing.network.osm import load_copenhagen

DATA_DIR = DEFAULT_DATA_DIR


@pytest.fixture(scope="session")
def copenhagen() -> RoadNetwork:
    """Central drive network merged with the main roads; skipped if the data is absent."""
    if not (DATA_DIR / "osm").is_dir():
        pytest.skip("shared OSM data not present")
    return build_network(load_copenhagen(DATA_DIR))
