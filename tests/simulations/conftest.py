"""Session fixtures: the real Copenhagen road network, loaded once."""

from __future__ import annotations

import pytest

from routing.network.graph import RoadNetwork, build_network
from routing.network.osm import load_osm
from tests.cities import COPENHAGEN


@pytest.fixture(scope="session")
def copenhagen() -> RoadNetwork:
    """Central drive network merged with the main roads; skipped if the data is absent."""
    if not all(p.is_file() for p in COPENHAGEN.osm_files):
        pytest.skip("shared OSM data not present")
    return build_network(load_osm(COPENHAGEN.osm_files))
