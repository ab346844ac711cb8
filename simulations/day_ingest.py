"""The ingest stage of the simulated day: register the city, publish, consume, reconcile."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from datetime import timedelta

import asyncpg
from rich.table import Table

from core.db.inventory import save_bins, save_parking_sites, save_sites, save_vehicles
from core.db.migrate import migrate
from core.db.tables import row_counts as count_rows
from core.embedded import Endpoints
from core.settings import Settings
from ingest.progress import committed_total
from ingest.reconcile import count_dead_letters
from ingest.topics import kinds
from routing.network.graph import RoadNetwork
from simulations.bins_sim import simulate_history
from simulations.city import City
from simulations.day_scenario import DayScenario, console
from simulations.faults import FaultInjector
from simulations.parking_sim import SimConfig, SimSite, simulate
from simulations.publish import Publisher
from simulations.vehicles_sim import gps_batches


async def register(dsn: str, city: City, parking: list[SimSite]) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await migrate(conn)
        await save_sites(conn, list(city.depots), "depot")
        await save_sites(conn, list(city.disposal_sites), "disposal")
        await save_bins(conn, list(city.bins))
        await save_vehicles(conn, list(city.vehicles))
        await save_parking_sites(conn, [s.site for s in parking])
    finally:
        await conn.close()


def start_consumers(ep: Endpoints, settings: Settings) -> dict[str, subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": ep.kafka_bootstrap_servers,
        "DATABASE_URL": ep.database_url,
    }
    return {
        k: subprocess.Popen(
            [sys.executable, "-m", "ingest", "--kind", k, "--log-level", "ERROR"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for k in ("fill", "gps", "parking")
    }


def publish(
    scenario: DayScenario,
    net: RoadNetwork,
    city: City,
    parking: list[SimSite],
    settings: Settings,
    bootstrap: str,
    speedup: float,
) -> Publisher:
    pub = Publisher(bootstrap, speedup)
    seed = scenario.seed
    fill_start = scenario.gps_start - timedelta(days=scenario.fill_days)
    t0 = time.monotonic()
    history = simulate_history(
        list(city.bins),
        fill_start,
        scenario.gps_end - fill_start,
        timedelta(minutes=scenario.fill_interval_min),
        seed,
        activity=city.bin_activity,
        tz=scenario.tz,
    )
    pub.send_all(
        settings.topic_fill, FaultInjector(scenario.fault_rate, seed).messages(history.readings())
    )
    console.log(
        f"fill readings published: {pub.counts.sent[settings.topic_fill]:,}"
        f" ({time.monotonic() - t0:.1f} s)"
    )
    t0 = time.monotonic()
    park_start = scenario.gps_end - timedelta(days=scenario.parking_days)
    cfg = SimConfig(step_min=scenario.parking_step_min, seed=seed)
    pub.send_all(
        settings.topic_parking,
        FaultInjector(scenario.fault_rate, seed + 1).messages(
            simulate(parking, park_start, scenario.parking_days, cfg, scenario.tz)
        ),
    )
    console.log(
        f"parking observations published: {pub.counts.sent[settings.topic_parking]:,}"
        f" ({time.monotonic() - t0:.1f} s)"
    )
    t0 = time.monotonic()
    gps_faults = FaultInjector(scenario.fault_rate, seed + 2)
    for batch in gps_batches(
        net, city, scenario.gps_start, timedelta(hours=scenario.gps_hours), seed, tz=scenario.tz
    ):
        if batch:
            pub.send_all(
                settings.topic_gps, gps_faults.messages(batch), sim_time=batch[0].observed_at
            )
    pub.flush()
    console.log(
        f"GPS fixes published: {pub.counts.sent[settings.topic_gps]:,}"
        f" ({time.monotonic() - t0:.1f} s)"
    )
    return pub


def wait_ingested(
    ep: Endpoints, settings: Settings, sent: dict[str, int], timeout_s: float = 900
) -> None:
    by_kind = kinds(settings)
    deadline = time.monotonic() + timeout_s
    pending = dict(sent)
    while pending and time.monotonic() < deadline:
        for kind in list(pending):
            k = by_kind[kind]
            done = committed_total(ep.kafka_bootstrap_servers, k.group(), k.topic(settings))
            if done >= pending[kind]:
                console.log(f"{kind}: all {done:,} offsets committed")
                del pending[kind]
        time.sleep(1.0)
    if pending:
        raise TimeoutError(f"ingest did not finish within {timeout_s} s: {pending}")


async def row_counts(dsn: str) -> dict[str, int]:
    conn = await asyncpg.connect(dsn)
    try:
        return await count_rows(
            conn,
            (
                "fill_readings",
                "gps_fixes",
                "parking_observations",
                "bin_state",
                "vehicle_state",
                "parking_state",
            ),
        )
    finally:
        await conn.close()


def summarise(
    settings: Settings, ep: Endpoints, pub: Publisher, stats: dict[str, dict[str, object]]
) -> bool:
    by_kind = kinds(settings)
    n_dead = sum(sum(s["dead_lettered"].values()) for s in stats.values())  # type: ignore[attr-defined,misc]
    dead = count_dead_letters(
        ep.kafka_bootstrap_servers, settings.topic_dead_letter, expected=n_dead, idle_s=2.0
    )
    rows = asyncio.run(row_counts(ep.database_url))
    table_of = {"fill": "fill_readings", "gps": "gps_fixes", "parking": "parking_observations"}
    t = Table(title="Simulated city day: messages produced, stored and dead-lettered")
    for col in (
        "topic",
        "produced",
        "faults injected",
        "stored (rows)",
        "dead-lettered",
        "reasons",
        "reconciles",
    ):
        t.add_column(col)
    ok_all = True
    for kind, s in stats.items():
        topic = by_kind[kind].topic(settings)
        produced = pub.counts.sent[topic]
        stored = rows[table_of[kind]]
        dl = dead.by_topic[topic]
        ok = produced == stored + dl and stored == s["stored"]
        ok_all &= ok
        reasons = ", ".join(f"{r}={n}" for r, n in sorted(dead.by_reason.get(topic, {}).items()))
        t.add_row(
            topic,
            f"{produced:,}",
            f"{pub.counts.faulty[topic]:,}",
            f"{stored:,}",
            f"{dl:,}",
            reasons or "-",
            "yes" if ok else "NO",
        )
    console.print(t)
    console.print(
        f"current state: {rows['bin_state']} bins, {rows['vehicle_state']} vehicles, "
        f"{rows['parking_state']} parking sites"
    )
    return ok_all
