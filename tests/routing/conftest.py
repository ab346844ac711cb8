"""Session fixtures: the real Copenhagen road network, loaded once; a small simulated city on it
registered in a fresh database."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import asyncpg
import pytest

from core.db.inventory import save_bins, save_sites, save_vehicles
from routing.network.graph import RoadNetwork, build_network
from routing.network.osm import load_osm
from routing.planning.day_problem import local_midnight
from simulations.bins_sim import simulate_history
from simulations.city import City, build_city
from tests.cities import COPENHAGEN, COPENHAGEN_DEMO, COPENHAGEN_TZ

CITY_DAY = date(2024, 5, 14)  # city_db holds readings up to 06:00 local of this day


@pytest.fixture(scope="session")
def copenhagen() -> RoadNetwork:
    """Central drive network merged with the main roads; skipped if the data is absent."""
    if not all(p.is_file() for p in COPENHAGEN.osm_files):
        pytest.skip("shared OSM data not present")
    return build_network(load_osm(COPENHAGEN.osm_files))


@pytest.fixture(scope="module")
def small_city(copenhagen: RoadNetwork) -> City:
    """60 bins and 3 waste trucks on the real network."""
    return build_city(
        copenhagen,
        COPENHAGEN,
        COPENHAGEN_DEMO,
        seed=7,
        n_bins=60,
        n_vehicles=3,
        n_trucks=3,
        n_cleaners=0,
    )


@pytest.fixture
def city_db(database: str, small_city: City) -> str:
    """The small city registered with two days of 30-minute readings up to 06:00."""
    start = local_midnight(CITY_DAY, COPENHAGEN_TZ) + timedelta(hours=6) - timedelta(days=2)
    history = simulate_history(
        list(small_city.bins),
        start,
        timedelta(days=2),
        timedelta(minutes=30),
        seed=7,
        activity=small_city.bin_activity,
        tz=COPENHAGEN_TZ,
    )
    rows = [
        (r.sensor_id, r.observed_at, r.filling_level, r.temperature, 0, k)
        for k, r in enumerate(history.readings())
    ]

    async def go() -> None:
        conn = await asyncpg.connect(database)
        await save_sites(conn, list(small_city.depots), "depot")
        await save_sites(conn, list(small_city.disposal_sites), "disposal")
        await save_bins(conn, list(small_city.bins))
        await save_vehicles(conn, list(small_city.vehicles))
        await conn.copy_records_to_table(
            "fill_readings",
            records=rows,
            columns=[
                "sensor_id",
                "observed_at",
                "filling_level",
                "temperature",
                "src_partition",
                "src_offset",
            ],
        )
        await conn.close()

    asyncio.run(go())
    return database
