"""API latency and throughput on loopback: the citizen parking endpoint and a driver's route.

    .venv/bin/python benchmarks/api_load.py [--seconds 10] [--concurrency 4]

Starts an embedded PostgreSQL, seeds parking sites with a fitted model, one plan with a 60-stop
route and a driver, serves the real application with uvicorn in a child process (citizen rate
limit raised so the load is not throttled), and drives it with concurrent keep-alive clients.
Ends with ``RESULT parking_p50_ms=… parking_p99_ms=… parking_rps=… route_p50_ms=…
route_p99_ms=… route_rps=…``.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
import numpy as np

from core.db.inventory import save_bins, save_parking_sites, save_sites, save_vehicles
from core.db.migrate import migrate
from core.db.parking import set_latest_counts
from core.db.plans import save_plan
from core.db.users import upsert_user
from core.domain import Bin, Site, Vehicle, VehicleKind
from core.embedded import free_port, start_postgres
from core.plan import DayPlan, PlanTotals, Stop, StopKind, VehicleRoute
from core.records import ParkingObservation
from core.settings import Settings
from core.users import Role, User
from parking.dataset import site_info
from parking.fit import FitConfig, fit_model
from parking.persistence import save_model
from parking.table import build_table, to_minutes
from simulations.demo_files import demo_dir, load_demo
from simulations.parking_sim import SimConfig, SimSite, scattered_sites, simulate_arrays

PASSWORD = "benchmark-password"
SECRET = "benchmark-secret-0123456789-0123456789"
SIM = SimConfig(n_street=60, n_carparks=4, step_min=15, seed=5)


def _sites() -> tuple[list[SimSite], str]:
    """The simulated parking sites in the configured city's demo area, and its time zone."""
    settings = Settings()
    profile = settings.city_profile()
    demo = load_demo(demo_dir(settings.city, settings.demo_dir))
    return scattered_sites(SIM, demo.placement, profile.districts), profile.timezone


def fit_parking(path: Path) -> None:
    sims, tz = _sites()
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=14)
    steps = list(simulate_arrays(sims, start, 14, SIM, tz))
    ids = [s.site.site_id for s in sims]
    t = np.repeat([to_minutes(ts) for ts, _ in steps], len(ids))
    table = build_table(
        ids,
        np.tile(ids, len(steps)),
        t,
        np.concatenate([f for _, f in steps]),
        np.tile([s.site.capacity for s in sims], len(steps)),
    )
    save_model(
        fit_model(
            table,
            site_info([s.site for s in sims]),
            tz,
            FitConfig(pairs_per_lead=5_000),
        ),
        path,
    )


async def seed(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await migrate(conn)
        depot = Site("depot-1", "Depot", 12.56, 55.67)
        await save_sites(conn, [depot], "depot")
        bins = [
            Bin(f"bin-{i:03d}", 12.55 + 0.0005 * i, 55.67 + 0.0003 * i, f"Gade {i}", "Indre By")
            for i in range(60)
        ]
        await save_bins(conn, bins)
        await save_vehicles(conn, [Vehicle("truck-a", VehicleKind.WASTE_TRUCK, "depot-1", 8000)])
        sims, _ = _sites()
        await save_parking_sites(conn, [s.site for s in sims])
        now = datetime.now(UTC)
        await set_latest_counts(
            conn, [ParkingObservation(s.site.site_id, now, 1, s.site.capacity) for s in sims]
        )
        t0 = datetime(2024, 3, 18, 6, tzinfo=UTC)
        stops = [Stop(0, StopKind.DEPOT, None, "depot-1", "", depot.lon, depot.lat, t0, t0, 0, 0)]
        stops += [
            Stop(
                i + 1,
                StopKind.BIN,
                b.bin_id,
                None,
                b.street,
                b.lon,
                b.lat,
                t0 + timedelta(minutes=3 * i),
                t0 + timedelta(minutes=3 * i + 1),
                i,
                i,
            )
            for i, b in enumerate(bins)
        ]
        route = VehicleRoute("truck-a", "depot-1", tuple(stops), 30_000, 7200, 3600, 30)
        await save_plan(
            conn,
            DayPlan(
                date(2024, 3, 18),
                "bench",
                1,
                (route,),
                PlanTotals(30, 7200, 3600, 60, 0, 0, 30, 1, 0),
            ),
        )
        from api.security import hash_password

        await upsert_user(conn, User("driver1", hash_password(PASSWORD), Role.DRIVER, ("truck-a",)))
    finally:
        await conn.close()


def run_server(dsn: str, port: int, model: str, state_dir: str) -> None:
    import uvicorn

    from api.app import create_app
    from api.ratelimit import RateLimit
    from core.settings import Settings

    settings = Settings(jwt_secret=SECRET, state_dir=Path(state_dir))
    app = create_app(
        settings,
        dsn,
        parking_model_path=Path(model),
        citizen_limit=RateLimit(rate=1e6, burst=1_000_000),
    )
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


async def load(
    base: str, path: str, headers: dict[str, str], seconds: float, concurrency: int
) -> tuple[float, float, float, int]:
    """(p50 ms, p99 ms, requests/s, errors) of GETs on ``path`` for ``seconds``."""
    lat: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits) as client:
        for _ in range(20):  # warm-up
            await client.get(path)
        stop = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < stop:
                t = time.perf_counter()
                r = await client.get(path)
                lat.append(time.perf_counter() - t)
                errors += r.status_code != 200

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    a = np.array(lat) * 1000
    return float(np.percentile(a, 50)), float(np.percentile(a, 99)), len(a) / elapsed, errors


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--concurrency", type=int, default=4)
    a = ap.parse_args()
    pg = start_postgres("bench")
    server = None
    try:
        with tempfile.TemporaryDirectory() as tmp:
            model = Path(tmp) / "parking.npz"
            fit_parking(model)
            asyncio.run(seed(pg.dsn))
            port = free_port()
            server = mp.get_context("spawn").Process(
                target=run_server, args=(pg.dsn, port, str(model), tmp), daemon=True
            )
            server.start()
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    httpx.get(f"{base}/openapi.json", timeout=1)
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
            tok = httpx.post(
                f"{base}/auth/token", data={"username": "driver1", "password": PASSWORD}
            ).json()
            auth = {"Authorization": f"Bearer {tok['access_token']}"}
            parking = "/citizen/parking?lon=12.5683&lat=55.6761&radius_m=1500"
            p = asyncio.run(load(base, parking, {}, a.seconds, a.concurrency))
            r = asyncio.run(load(base, "/driver/routes/truck-a", auth, a.seconds, a.concurrency))
            print(
                f"parking: p50 {p[0]:.1f} ms, p99 {p[1]:.1f} ms, {p[2]:.0f} req/s, "
                f"{p[3]} errors; route: p50 {r[0]:.1f} ms, p99 {r[1]:.1f} ms, {r[2]:.0f} req/s, "
                f"{r[3]} errors (concurrency {a.concurrency}, {a.seconds:g} s each)"
            )
            if p[3] or r[3]:
                raise SystemExit("non-200 answers under load")
            print(
                f"RESULT parking_p50_ms={p[0]:.1f} parking_p99_ms={p[1]:.1f} "
                f"parking_rps={p[2]:.0f} route_p50_ms={r[0]:.1f} route_p99_ms={r[1]:.1f} "
                f"route_rps={r[2]:.0f}"
            )
    finally:
        if server is not None:
            server.terminate()
            server.join(10)
        pg.stop()


if __name__ == "__main__":
    main()
