"""The demo registers its simulated city through the onboarding import (validate the whole
inventory against the city, write it in one transaction, audit it): the Copenhagen demo's
inventory passes the same validation as a city's files."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from admin.records import ImportContext, InventoryKind, raw_rows
from admin.validate import validate
from core.db.audit import audit_entries
from core.settings import Settings
from routing.network.graph import RoadNetwork, build_network
from routing.network.osm import load_osm
from simulations.city import build_city
from simulations.day_ingest import DEMO_ACTOR, register
from simulations.day_scenario import parking_sites_on
from simulations.demo_files import load_demo
from tests.cities import COPENHAGEN, COPENHAGEN_DEMO, PRAIRIEVILLE_DIR


def test_the_copenhagen_demo_inventory_passes_the_import_validation(
    copenhagen: RoadNetwork,
) -> None:
    """All 1,000 bins, 1,500 vehicles, the sites and the 410 parking sites validate."""
    city = build_city(copenhagen, COPENHAGEN, COPENHAGEN_DEMO, 42)
    parking = [s.site for s in parking_sites_on(copenhagen, 42, COPENHAGEN.districts)]
    ctx = ImportContext(
        COPENHAGEN.name,
        COPENHAGEN.bbox,
        COPENHAGEN.districts,
        COPENHAGEN.co2_g_per_km,
        depots=frozenset(d.site_id for d in city.depots),
    )
    for kind, items in (
        (InventoryKind.DEPOTS, city.depots),
        (InventoryKind.DISPOSAL_SITES, city.disposal_sites),
        (InventoryKind.BINS, city.bins),
        (InventoryKind.VEHICLES, city.vehicles),
        (InventoryKind.PARKING_SITES, parking),
    ):
        rows, columns = raw_rows(items)
        v = validate(kind, rows, columns, ctx)
        assert v.errors == () and v.batch is not None, (kind, v.errors[:5])
        assert v.batch.items == tuple(items)  # imported exactly as simulated


@pytest.mark.integration
def test_register_imports_the_simulated_city(database: str) -> None:
    """Prairieville's small demo city is registered through the import, with audit entries."""
    profile = Settings(city=str(PRAIRIEVILLE_DIR), data_dir=PRAIRIEVILLE_DIR).city_profile()
    net = build_network(load_osm(profile.osm_files))
    city = build_city(net, profile, load_demo(PRAIRIEVILLE_DIR / "demo"), 3, 20, 6, 2, 1)
    parking = parking_sites_on(net, 3, profile.districts)[:4]
    asyncio.run(register(database, city, parking, profile))

    async def read() -> tuple[list[int], list[tuple[str, str]]]:
        conn = await asyncpg.connect(database)
        try:
            counts = [
                int(await conn.fetchval(f"SELECT count(*) FROM {t}"))
                for t in ("bins", "sensors", "vehicles", "sites", "parking_sites")
            ]
            entries = [(e.actor, e.target) for e in await audit_entries(conn)]
            return counts, entries
        finally:
            await conn.close()

    counts, entries = asyncio.run(read())
    n_sites = len(city.depots) + len(city.disposal_sites)
    assert counts == [20, 20, 6, n_sites, 4]
    assert sorted(entries) == sorted(
        (DEMO_ACTOR, k.value)
        for k in (
            InventoryKind.DEPOTS,
            InventoryKind.DISPOSAL_SITES,
            InventoryKind.BINS,
            InventoryKind.VEHICLES,
            InventoryKind.PARKING_SITES,
        )
    )
