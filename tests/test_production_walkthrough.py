"""Integration: README's production walkthrough, followed literally on an empty database.

Every step runs the installed command as its own process, as an operator would: `city-services`
(broker and migrated database), `city-db migrate`, `city-admin import` of the city's inventory
(depots before vehicles), `city-admin users add` (password on standard input), the three
`city-ingest` consumers, `city-plan`, `city-api` with a planner's log-in and
`POST /planner/plans`, `parking-train --from-db`, and SIGTERM to `city-services`. The inventory
is placed around the configured city profile's map centre, so nothing names a city.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest
from kafka import KafkaProducer

from core.city import CityProfile
from core.records import FillReading, GpsFix, ParkingObservation, encode
from core.settings import Settings
from tests.core.test_services_cli import _lines  # the same reader of its printed lines

pytestmark = [pytest.mark.integration, pytest.mark.slow]

BIN_DIR = Path(sys.executable).parent  # the commands scripts/bootstrap.sh installed
N_BINS = 10
TRUCKS = ("TRUCK-01", "TRUCK-02")
PARKING = ("P-01", "P-02")
PASSWORDS = {"ops-admin": "admin-pw-0f3a9c", "ada": "planner-pw-7b21e4"}


def _cmd(name: str, *args: str) -> list[str]:
    return [str(BIN_DIR / name), *args]


def _run(cmd: list[str], env: Mapping[str, str], stdin: str | None = None) -> str:
    """Run one command to completion; its stdout, or fail with its stderr."""
    done = subprocess.run(cmd, env=env, input=stdin, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, f"{cmd[0]} {cmd[1:]}: {done.stderr[-3000:]}"
    return done.stdout


def _bin_ids() -> list[str]:
    return [f"BIN-{i:03d}" for i in range(N_BINS)]


def _sensor_ids() -> list[str]:
    """Even bins carry a sensor of their own id; odd bins a separately named sensor."""
    return [b if i % 2 == 0 else f"SENSOR-{i:03d}" for i, b in enumerate(_bin_ids())]


def _write_inventory(folder: Path, profile: CityProfile) -> dict[str, Path]:
    """The city's inventory files, around the profile's map centre: sites as GeoJSON (depot and
    disposal site in one file, told apart by ``kind``), vehicles, bins and parking sites as CSV
    in README's documented form."""
    cx, cy = profile.map_centre
    sites = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"site_id": sid, "name": name, "kind": kind},
                "geometry": {"type": "Point", "coordinates": [cx + dx, cy + dy]},
            }
            for sid, name, kind, dx, dy in (
                ("DEPOT-1", "Depot", "depot", 0.002, 0.007),
                ("DISPOSAL-1", "Disposal site", "disposal", 0.010, 0.006),
            )
        ],
    }
    paths = {k: folder / f"{k}.csv" for k in ("vehicles", "bins", "parking")}
    paths["sites"] = folder / "sites.geojson"
    paths["sites"].write_text(json.dumps(sites), encoding="utf-8")
    paths["vehicles"].write_text(
        "vehicle_id,kind,depot_id,capacity_l,capacity_kg,shift_start_h,shift_end_h,co2_g_per_km\n"
        + "".join(f"{v},garbageCollection,DEPOT-1,12000,6000,6,14,\n" for v in TRUCKS),
        encoding="utf-8",
    )
    rows = [
        f"{b},{cx - 0.010 + 0.005 * (i % 5):.5f},{cy - 0.002 + 0.006 * (i // 5):.5f},,,"
        f"{110 if i % 3 else 160},{'' if s == b else s},{'' if i % 4 else 0.75},"
        f"{'' if i % 2 else 90}\n"
        for i, (b, s) in enumerate(zip(_bin_ids(), _sensor_ids(), strict=True))
    ]
    paths["bins"].write_text(
        "bin_id,lon,lat,street,district,capacity_l,sensor_id,threshold,service_s\n" + "".join(rows),
        encoding="utf-8",
    )
    paths["parking"].write_text(
        "site_id,name,kind,capacity,lon,lat,street,district\n"
        + "".join(
            f"{p},Car park {i},street,40,{cx + 0.003 * i:.5f},{cy + 0.002:.5f},,\n"
            for i, p in enumerate(PARKING)
        ),
        encoding="utf-8",
    )
    return paths


def _produce(bootstrap: str, settings: Settings, profile: CityProfile) -> dict[str, int]:
    """What the city's sensors would send: fill readings over the last day (the first half of
    the bins nearly full), a truck's GPS of the last minutes, parking counts. Messages sent per
    ingest kind."""
    now = datetime.now(UTC)
    cx, cy = profile.map_centre
    sent = {"fill": 0, "gps": 0, "parking": 0}
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    for i, sensor in enumerate(_sensor_ids()):
        top = 0.9 if i < N_BINS // 2 else 0.3
        for hours_ago, share in ((20, 0.3), (10, 0.6), (2, 1.0)):
            reading = FillReading(sensor, now - timedelta(hours=hours_ago), top * share)
            producer.send(settings.topic_fill, key=sensor.encode(), value=encode(reading))
            sent["fill"] += 1
    for k in range(6):
        fix = GpsFix(TRUCKS[0], now - timedelta(minutes=6 - k), cx + 0.0005 * k, cy, 18.0, 90.0)
        producer.send(settings.topic_gps, key=TRUCKS[0].encode(), value=encode(fix))
        sent["gps"] += 1
    for site in PARKING:
        for minutes_ago, free in ((30, 12), (5, 9)):
            obs = ParkingObservation(site, now - timedelta(minutes=minutes_ago), free, 40)
            producer.send(settings.topic_parking, key=site.encode(), value=encode(obs))
            sent["parking"] += 1
    producer.flush()
    producer.close()
    return sent


async def _stored(dsn: str) -> dict[str, int]:
    """Rows stored per raw table, bins with readings, accepted plans, routes, audit entries."""
    conn = await asyncpg.connect(dsn)
    try:
        queries = {
            "fill": "SELECT count(*) FROM fill_readings",
            "gps": "SELECT count(*) FROM gps_fixes",
            "parking": "SELECT count(*) FROM parking_observations",
            "bins_read": "SELECT count(DISTINCT bin_id) FROM fill_readings",
            "accepted_plans": "SELECT count(*) FROM plans WHERE status = 'accepted'",
            "routes": "SELECT count(*) FROM plan_routes",
            "audit": "SELECT count(*) FROM audit_log",
        }
        return {k: int(await conn.fetchval(q)) for k, q in queries.items()}
    finally:
        await conn.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_http(url: str, proc: subprocess.Popen[str], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"city-api exited with {proc.returncode}"
        try:
            httpx.get(url, timeout=2.0)
            return
        except httpx.TransportError:
            time.sleep(0.3)
    pytest.fail(f"city-api did not answer within {timeout_s} s")


def _plan_through_api(base: str, plan_date: date) -> dict[str, object]:
    """Log in as the planner, ask for the day's plan, poll the job; the stored plan."""
    with httpx.Client(base_url=base, timeout=30.0) as http:
        login = {"username": "ada", "password": PASSWORDS["ada"]}
        token = http.post("/auth/token", data=login).raise_for_status().json()["access_token"]
        http.headers["Authorization"] = f"Bearer {token}"
        body = {"plan_date": plan_date.isoformat(), "time_limit_s": 1, "engine": "portfolio"}
        job = http.post("/planner/plans", json=body).raise_for_status().json()
        deadline = time.monotonic() + 120
        while job["status"] not in ("done", "failed") and time.monotonic() < deadline:
            time.sleep(0.5)
            job = http.get(f"/planner/jobs/{job['job_id']}").raise_for_status().json()
        assert job["status"] == "done", job
        assert job["result"]["status"] == "accepted", job["result"]
        plan: dict[str, object] = (
            http.get(f"/planner/plans/{job['result']['plan_id']}").raise_for_status().json()
        )
        return plan


def _stop(proc: subprocess.Popen[str], name: str) -> int:
    """SIGTERM, as `kill` sends; the exit status, or fail when it does not stop in 60 s."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        pytest.fail(f"{name} did not stop within 60 s of SIGTERM")


def test_readme_production_walkthrough_on_an_empty_database(tmp_path: Path) -> None:
    """README's walkthrough works step by step on a fresh database: inventory and users are
    onboarded, every stream is ingested with no unknown ids, a day is planned with a route by
    `city-plan` and by a planner through the API, and `city-services` stops cleanly."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("KAFKA_BOOTSTRAP_SERVERS", "DATABASE_URL")
    }
    env.update(  # a real city: production settings, its own secrets, its own state directory
        CITYOPS_ENVIRONMENT="production",
        CITYOPS_JWT_SECRET="walkthrough-jwt-secret-5d0c2f7e9a41b8c3",
        CITYOPS_PSEUDONYM_KEY="walkthrough-pseudonym-key-8e4a1c6b2f9d",
        CITYOPS_STATE_DIR=str(tmp_path / "state"),
    )
    settings = Settings()  # the test's own configuration: topic names and the city profile
    profile = settings.city_profile()
    files = _write_inventory(tmp_path, profile)
    env_file = tmp_path / "cityops.env"
    services_log = (tmp_path / "city-services.log").open("w")  # stderr, for a failure's reader
    api_log = (tmp_path / "city-api.log").open("w")
    services = subprocess.Popen(
        _cmd("city-services", "--env-file", str(env_file)),
        env=env,
        stdout=subprocess.PIPE,
        stderr=services_log,
        text=True,
    )
    api: subprocess.Popen[str] | None = None
    try:
        # 1. Broker and migrated database; the two printed lines configure everything else.
        lines = _lines(services.stdout, 2, 120.0)
        assert env_file.read_text(encoding="utf-8").splitlines() == lines
        found = dict(line.split("=", 1) for line in lines)
        assert set(found) == {"KAFKA_BOOTSTRAP_SERVERS", "DATABASE_URL"}
        env.update(found)
        dsn = found["DATABASE_URL"]
        # 2. Migrations (city-services applied them: nothing left to do).
        assert "none" in _run(_cmd("city-db", "migrate"), env)

        # 3. The inventory, depots before vehicles; the sites file once per kind of site.
        for path, kind, n in (
            (files["sites"], "depots", 1),
            (files["sites"], "disposal-sites", 1),
            (files["vehicles"], "vehicles", len(TRUCKS)),
            (files["bins"], "bins", N_BINS),
            (files["parking"], "parking-sites", len(PARKING)),
        ):
            out = _run(_cmd("city-admin", "import", str(path), "--kind", kind), env)
            assert f"imported {n} {kind}: {n} new" in out, out

        # 4. Users: the first admin and a planner, passwords on standard input.
        for user, role in (("ops-admin", "admin"), ("ada", "planner")):
            cmd = _cmd("city-admin", "users", "add", user, "--role", role, "--password-stdin")
            assert f"added {role} {user}" in _run(cmd, env, stdin=PASSWORDS[user] + "\n")

        # 5. The streams, then one consumer per kind catching up (it stops when idle).
        sent = _produce(found["KAFKA_BOOTSTRAP_SERVERS"], settings, profile)
        consumers = {
            kind: subprocess.Popen(
                _cmd("city-ingest", "--kind", kind, "--idle-exit", "4", "--log-level", "WARNING"),
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for kind in sent
        }
        for kind, proc in consumers.items():
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err[-3000:]
            stats = json.loads(out.strip().splitlines()[-1])
            assert "unknown_id" not in stats["dead_lettered"], (kind, stats)
            assert (stats["stored"], stats["dead_lettered"]) == (sent[kind], {}), (kind, stats)
        stored = asyncio.run(_stored(dsn))
        assert [stored[k] for k in sent] == [sent[k] for k in sent]
        assert stored["bins_read"] == N_BINS  # each reading with the bin its sensor is on
        assert stored["audit"] >= 7  # five imports and two users

        # 6. Tomorrow's plan from the command line (tomorrow in the city's zone).
        plan_date = datetime.now(ZoneInfo(profile.timezone)).date() + timedelta(days=1)
        out = _run(
            _cmd("city-plan", "--date", plan_date.isoformat(), "--time-limit", "1", "--quiet"),
            env,
        )
        assert "accepted" in out
        stored = asyncio.run(_stored(dsn))
        assert stored["accepted_plans"] == 1 and stored["routes"] >= 1

        # 7. The API; the planner logs in and plans the day again.
        port = _free_port()
        api = subprocess.Popen(
            _cmd("city-api", "--port", str(port)),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=api_log,
            text=True,
        )
        base = f"http://127.0.0.1:{port}"
        _wait_http(f"{base}/docs", api, 60.0)
        plan = _plan_through_api(base, plan_date)
        routes = plan["routes"]
        assert isinstance(routes, list) and len(routes) >= 1
        assert plan["plan_date"] == plan_date.isoformat()

        # 8. The parking model: a day's counts are not enough history yet, and it says so.
        model = tmp_path / "state" / "parking_model.npz"
        train = subprocess.run(
            _cmd("parking-train", "--from-db", "--out", str(model)),
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert train.returncode == 1 and "not trained" in train.stderr
        assert "Traceback" not in train.stderr and not model.exists()
    finally:
        if api is not None:
            _stop(api, "city-api")
        code = _stop(services, "city-services")
        services_log.close()
        api_log.close()
    # 9. SIGTERM stops the broker and the database and removes the environment file.
    assert code == 0
    assert not env_file.exists()
