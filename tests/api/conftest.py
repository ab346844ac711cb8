"""Fixtures: a seeded database (inventory, live state, one accepted plan, users), a small fitted
parking model on disk, and a test client on the real application."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg
import numpy as np
import pytest
import uvicorn
from fastapi.testclient import TestClient

from api.app import create_app
from api.ratelimit import RateLimit
from api.security import hash_password
from core.db.inventory import save_bins, save_parking_sites, save_sites, save_vehicles
from core.db.plans import save_plan
from core.db.users import create_user
from core.domain import Bin, Site, Vehicle, VehicleKind
from core.embedded import free_port
from core.plan import DayPlan, PlanTotals, Stop, StopKind, VehicleRoute
from core.settings import DEFAULT_DATA_DIR, Settings
from core.users import Role, User
from parking.dataset import site_info
from parking.fit import FitConfig, fit_model
from parking.persistence import save_model
from parking.table import build_table, to_minutes
from simulations.parking_sim import SimConfig, SimSite, scattered_sites, simulate_arrays
from tests.cities import CENTRAL_BOX, COPENHAGEN, COPENHAGEN_TZ

PASSWORD = "correct horse battery"
SECRET = "test-secret-0123456789-0123456789-abcdef"
PLAN_DATE = date(2024, 3, 18)
SIM = SimConfig(n_street=8, n_carparks=1, step_min=15, seed=3)


def _sites() -> list[SimSite]:
    """The simulated parking sites, scattered in Copenhagen's central box."""
    return scattered_sites(SIM, CENTRAL_BOX, COPENHAGEN.districts)


@dataclass(frozen=True)
class Seed:
    """What the seeded database holds."""

    dsn: str
    plan_id: int
    bins: tuple[str, ...]


@pytest.fixture(scope="session")
def parking_model_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A parking model fitted on 14 simulated days of 9 Copenhagen sites, saved as .npz."""
    sims = _sites()
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=14)
    steps = list(simulate_arrays(sims, start, 14, SIM, COPENHAGEN_TZ))
    ids = [s.site.site_id for s in sims]
    t = np.repeat([to_minutes(ts) for ts, _ in steps], len(ids))
    free = np.concatenate([f for _, f in steps])
    caps = np.tile([s.site.capacity for s in sims], len(steps))
    table = build_table(ids, np.tile(ids, len(steps)), t, free, caps)
    model = fit_model(
        table,
        site_info([s.site for s in sims]),
        "Europe/Copenhagen",
        FitConfig(pairs_per_lead=3_000),
    )
    path = tmp_path_factory.mktemp("parking") / "model.npz"
    save_model(model, path)
    return path


def _stop(seq: int, kind: StopKind, what: str, lon: float, lat: float, t: datetime) -> Stop:
    return Stop(
        seq,
        kind,
        what if kind is StopKind.BIN else None,
        None if kind is StopKind.BIN else what,
        "Test Street",
        lon,
        lat,
        t,
        t + timedelta(minutes=1),
        10.0 * seq,
        1.0 * seq,
    )


def street_path(stops: tuple[Stop, ...]) -> tuple[tuple[float, float], ...]:
    """A made-up road geometry: from each stop east, then north or south to the next one."""
    out = [(stops[0].lon, stops[0].lat)]
    for a, b in zip(stops[:-1], stops[1:], strict=True):
        out += [(b.lon, a.lat), (b.lon, b.lat)]
    return tuple(out)


def _plan(bins: list[Bin], depot: Site) -> DayPlan:
    t0 = datetime(2024, 3, 18, 6, tzinfo=UTC)
    routes = []
    for k, (vid, mine) in enumerate((("truck-a", bins[:3]), ("truck-b", bins[3:]))):
        stops = [_stop(0, StopKind.DEPOT, depot.site_id, depot.lon, depot.lat, t0)]
        stops += [
            _stop(i + 1, StopKind.BIN, b.bin_id, b.lon, b.lat, t0 + timedelta(minutes=10 * i))
            for i, b in enumerate(mine)
        ]
        stops.append(
            _stop(
                len(stops),
                StopKind.DEPOT,
                depot.site_id,
                depot.lon,
                depot.lat,
                t0 + timedelta(hours=2 + k),
            )
        )
        route = VehicleRoute(vid, depot.site_id, tuple(stops), 12_000.0, 3600.0, 600.0, 13.2)
        if vid == "truck-a":  # truck-b keeps no geometry (a plan stored before it existed)
            route = replace(route, geometry=street_path(route.stops))
        routes.append(route)
    totals = PlanTotals(24.0, 7200.0, 1200.0, len(bins), 2, 0, 26.4, 2, 0)
    return DayPlan(PLAN_DATE, "test", 1000, tuple(routes), totals, {"note": "fixture"})


async def _seed(dsn: str) -> Seed:
    conn = await asyncpg.connect(dsn)
    try:
        depot = Site("depot-1", "Depot", 12.56, 55.67)
        await save_sites(conn, [depot], "depot")
        await save_sites(conn, [Site("disp-1", "Amager", 12.62, 55.66)], "disposal")
        bins = [
            Bin(f"bin-{i:03d}", 12.57 + 0.002 * i, 55.675 + 0.001 * i, f"Gade {i}", "Indre By")
            for i in range(5)
        ]
        await save_bins(conn, bins)
        await save_vehicles(
            conn,
            [
                Vehicle("truck-a", VehicleKind.WASTE_TRUCK, "depot-1", 8000),
                Vehicle("truck-b", VehicleKind.WASTE_TRUCK, "depot-1", 8000),
                Vehicle("sweeper-1", VehicleKind.STREET_CLEANER, "depot-1"),
            ],
        )
        await save_parking_sites(conn, [s.site for s in _sites()])
        now = datetime.now(UTC)
        await conn.executemany(
            "INSERT INTO bin_state (bin_id, observed_at, filling_level) VALUES ($1, $2, $3)",
            [(b.bin_id, now - timedelta(hours=1), 0.2 * i) for i, b in enumerate(bins)],
        )
        await conn.executemany(
            "INSERT INTO fill_readings (sensor_id, observed_at, filling_level, src_partition,"
            " src_offset) VALUES ($1, $2, $3, 0, $4)",
            [
                (b.bin_id, now - timedelta(hours=h), max(0.0, 0.2 * i - 0.01 * h), 100 * i + h)
                for i, b in enumerate(bins)
                for h in range(1, 24)
            ],
        )
        await conn.executemany(
            "INSERT INTO vehicle_state VALUES ($1, $2, $3, $4, 20, 90)",
            [
                ("truck-a", now, 12.571, 55.676),
                ("truck-b", now, 12.575, 55.678),
                ("sweeper-1", now, 12.58, 55.68),
            ],
        )
        await conn.execute(
            "INSERT INTO parking_observations VALUES ('cph-0000', $1, 3, 15, 0, 1)", now
        )
        await conn.execute("INSERT INTO parking_state VALUES ('cph-0000', $1, 3, 15)", now)
        plan_id = await save_plan(conn, _plan(bins, depot))
        h = hash_password(PASSWORD)
        for u in (
            User("planner", h, Role.PLANNER),
            User("driver1", h, Role.DRIVER, ("truck-a",)),
            User("driver2", h, Role.DRIVER, ("truck-b",)),
        ):
            await create_user(conn, u)
        return Seed(dsn, plan_id, tuple(b.bin_id for b in bins))
    finally:
        await conn.close()


@pytest.fixture
def seeded(database: str) -> Seed:
    """A fresh database with inventory, live state, plan and users planner/driver1/driver2."""
    return asyncio.run(_seed(database))


def test_settings(tmp_path: Path) -> Settings:
    return Settings(
        jwt_secret=SECRET,
        pseudonym_key=SECRET,  # type: ignore[arg-type]
        data_dir=DEFAULT_DATA_DIR,
        state_dir=tmp_path,  # type: ignore[arg-type]
        environment="test",
        tile_url="",
        retention_interval_h=0,  # the fixture's plan is from 2024: no retention behind the tests
    )


@pytest.fixture
def app_factory(seeded: Seed, parking_model_file: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Builds the application on the seeded database (keyword arguments to ``create_app``)."""

    def make(**kw):  # type: ignore[no-untyped-def]
        kw.setdefault("parking_model_path", parking_model_file)
        kw.setdefault("citizen_limit", RateLimit(rate=1000, burst=1000))
        return create_app(test_settings(tmp_path), seeded.dsn, **kw)

    return make


@pytest.fixture
def client(app_factory) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    """A test client with the lifespan running."""
    with TestClient(app_factory()) as c:
        yield c


def login(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    """Authorization header for ``username``."""
    r = client.post("/auth/token", data={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


@pytest.fixture
def server(app_factory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The application on a real loopback port, in a thread."""
    port = free_port()
    srv = uvicorn.Server(
        uvicorn.Config(app_factory(), host="127.0.0.1", port=port, log_level="warning")
    )
    t = threading.Thread(target=srv.run, daemon=True)
    t.start()
    deadline = time.monotonic() + 30
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    t.join(15)
