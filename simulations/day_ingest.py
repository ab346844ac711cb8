"""The ingest stage of the simulated days: register the city, run the consumers (one process per
topic), wait for them, stop them and reconcile (publishing: :mod:`simulations.day_publish`)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import asyncpg
from rich.table import Table

from admin.importer import import_rows
from admin.records import InventoryKind, Item, raw_rows
from core.city import CityProfile
from core.db.migrate import migrate
from core.db.tables import ingested_row_counts
from core.db.tables import row_counts as count_rows
from core.embedded import Endpoints
from core.settings import Settings
from ingest.progress import committed_total
from ingest.reconcile import count_dead_letters
from ingest.topics import kinds
from simulations.city import City
from simulations.day_scenario import console
from simulations.parking_sim import SimSite
from simulations.publish import Publisher

DEMO_ACTOR = "demo"  # the audit log's actor of the demo's inventory import


async def register(dsn: str, city: City, parking: list[SimSite], profile: CityProfile) -> None:
    """Import the simulated city's inventory through the onboarding import (the code path of
    ``city-admin import``: the whole inventory is validated against the city, then written);
    raises ValueError with every reason if the simulated inventory does not validate."""
    conn = await asyncpg.connect(dsn)
    try:
        await migrate(conn)
        inventory: list[tuple[InventoryKind, Sequence[Item]]] = [
            (InventoryKind.DEPOTS, city.depots),
            (InventoryKind.DISPOSAL_SITES, city.disposal_sites),
            (InventoryKind.BINS, city.bins),
            (InventoryKind.VEHICLES, city.vehicles),
            (InventoryKind.PARKING_SITES, [s.site for s in parking]),
        ]
        for kind, items in inventory:
            rows, columns = raw_rows(items)
            report = await import_rows(
                conn, kind, rows, columns, profile, DEMO_ACTOR, source=f"demo {kind.value}"
            )
            if not report.ok:
                raise ValueError("\n".join(report.lines()))
    finally:
        await conn.close()


def start_consumers(ep: Endpoints, settings: Settings) -> dict[str, subprocess.Popen[bytes]]:
    """One consumer process per topic, configured like this process (topics, city, limits)."""
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": ep.kafka_bootstrap_servers,
        "DATABASE_URL": ep.database_url,
        "CITYOPS_TOPIC_FILL": settings.topic_fill,
        "CITYOPS_TOPIC_GPS": settings.topic_gps,
        "CITYOPS_TOPIC_PARKING": settings.topic_parking,
        "CITYOPS_TOPIC_DEAD_LETTER": settings.topic_dead_letter,
        "CITYOPS_CITY": settings.city,
        "CITYOPS_DATA_DIR": str(settings.data_dir),
        "CITYOPS_GPS_RETENTION_DAYS": str(settings.gps_retention_days),
        "CITYOPS_MAX_FUTURE_SKEW_S": str(settings.max_future_skew_s),
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


def stop_consumers(consumers: dict[str, subprocess.Popen[bytes]]) -> dict[str, dict[str, object]]:
    """Stop the consumers (SIGTERM: they finish their batch) and collect their final counts."""
    stats: dict[str, dict[str, object]] = {}
    for kind, proc in consumers.items():
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
        lines = out.decode().strip().splitlines()
        if proc.returncode != 0 or not lines:
            console.print(f"[red]consumer {kind} failed:[/red] {err.decode()[-2000:]}")
            continue
        stats[kind] = json.loads(lines[-1])
    return stats


@dataclass(frozen=True)
class Baseline:
    """What earlier runs left in a persisted store (``--persist``), so that this run counts and
    reconciles only its own messages: committed offsets per kind, ingested rows per history
    table, dead letters per source topic. Empty on fresh services."""

    committed: dict[str, int] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    dead: dict[str, int] = field(default_factory=dict)


def read_baseline(ep: Endpoints, settings: Settings) -> Baseline:
    """The store's counts before this run publishes (read before the consumers start)."""
    committed = {
        kind: committed_total(ep.kafka_bootstrap_servers, k.group(), k.topic(settings))
        for kind, k in kinds(settings).items()
    }
    if not any(committed.values()):
        return Baseline()
    # No count to wait for: read until idle for longer than a group join takes (~3 s here).
    dead = count_dead_letters(ep.kafka_bootstrap_servers, settings.topic_dead_letter, idle_s=8.0)
    rows = asyncio.run(row_counts(ep.database_url))
    return Baseline(committed, rows, dict(dead.by_topic))


def wait_ingested(
    ep: Endpoints,
    settings: Settings,
    sent: dict[str, int],
    timeout_s: float = 900,
    before: Mapping[str, int] | None = None,
) -> None:
    """Wait until the consumers committed ``sent`` offsets per kind beyond ``before``."""
    by_kind = kinds(settings)
    deadline = time.monotonic() + timeout_s
    pending = {kind: n + (before or {}).get(kind, 0) for kind, n in sent.items()}
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
    """Rows stored from the broker per history table (drivers' reports also write fill readings:
    not counted) and rows of the state tables."""
    conn = await asyncpg.connect(dsn)
    try:
        history = ("fill_readings", "gps_fixes", "parking_observations")
        state = ("bin_state", "vehicle_state", "parking_state")
        return {
            **await ingested_row_counts(conn, history),
            **await count_rows(conn, state),
        }
    finally:
        await conn.close()


def summarise(
    settings: Settings,
    ep: Endpoints,
    pub: Publisher,
    stats: dict[str, dict[str, object]],
    base: Baseline | None = None,
) -> bool:
    """Print and check this run's reconciliation: produced = stored + dead-lettered per topic
    (beyond ``base``: what earlier runs left in a persisted store)."""
    base = base or Baseline()
    by_kind = kinds(settings)
    n_dead = sum(sum(s["dead_lettered"].values()) for s in stats.values())  # type: ignore[attr-defined,misc]
    dead = count_dead_letters(
        ep.kafka_bootstrap_servers,
        settings.topic_dead_letter,
        expected=n_dead + sum(base.dead.values()),
        idle_s=2.0,
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
        stored = rows[table_of[kind]] - base.rows.get(table_of[kind], 0)
        dl = dead.by_topic[topic] - base.dead.get(topic, 0)
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
