"""End-to-end ingest benchmark: GPS fixes broker → validated rows committed in PostgreSQL.

Phase 1 (throughput): N fixes are published first, then one consumer (this process) drains them;
throughput = N / (first poll → last offset commit). Phase 2 (lag): fixes are produced at a steady
rate while the consumer runs; lag = offset-commit time − the message's producer timestamp.

    python benchmarks/ingest.py [--fixes 200000] [--rate 5000] [--seconds 10]

Uses the embedded broker and database unless KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL are set.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is named like the `ingest` package; keep its folder off the import path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

import argparse
import asyncio
import cProfile
import pstats
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import numpy as np

from core.db.inventory import save_sites, save_vehicles
from core.db.migrate import migrate
from core.db.tables import row_counts, truncate
from core.domain import Site, Vehicle, VehicleKind
from core.embedded import services
from core.records import GpsFix, encode
from core.settings import Settings
from ingest import kafka_io
from ingest.consumer import TopicConsumer
from ingest.topics import kinds
from ingest.validate import ValidationPolicy

VEHICLES = 1500


def fixes(n: int, start: datetime, seed: int) -> list[bytes]:
    rng = np.random.default_rng(seed)
    lon = rng.uniform(12.54, 12.59, n)
    lat = rng.uniform(55.68, 55.71, n)
    out = []
    for i in range(n):
        t = start + timedelta(seconds=i // VEHICLES)
        out.append(
            encode(
                GpsFix(
                    f"veh-{i % VEHICLES:04d}",
                    t,
                    float(lon[i]),
                    float(lat[i]),
                    float(i % 60),
                    float(i % 360),
                )
            )
        )
    return out


async def setup(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    await migrate(conn)
    await save_sites(conn, [Site("depot-1", "Depot", 12.55, 55.69)], "depot")
    await save_vehicles(
        conn, [Vehicle(f"veh-{i:04d}", VehicleKind.OTHER, "depot-1") for i in range(VEHICLES)]
    )
    await truncate(conn, ("gps_fixes", "vehicle_state"))
    await conn.close()


async def stored(dsn: str) -> int:
    conn = await asyncpg.connect(dsn)
    n = (await row_counts(conn, ("gps_fixes",)))["gps_fixes"]
    await conn.close()
    return n


class Timings:
    """Commit time and producer timestamps of each committed batch."""

    def __init__(self) -> None:
        self.commits: list[tuple[float, list[int]]] = []
        self.count = 0

    def __call__(self, messages: list[Any]) -> None:
        self.commits.append((time.time(), [m.timestamp for m in messages]))
        self.count += len(messages)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--fixes", type=int, default=200_000)
    ap.add_argument("--rate", type=float, default=5000.0, help="phase-2 produce rate, fixes/s")
    ap.add_argument("--seconds", type=float, default=10.0, help="phase-2 duration")
    ap.add_argument("--batch-size", type=int, default=5000)
    ap.add_argument("--profile", action="store_true", help="print where the consumer's time goes")
    args = ap.parse_args()
    settings = Settings()
    with services(settings.kafka_bootstrap_servers, settings.database_url.get_secret_value()) as ep:
        asyncio.run(setup(ep.database_url))
        topic = f"bench.gps.{int(time.time())}"
        kafka_io.ensure_topics(ep.kafka_bootstrap_servers, [topic, settings.topic_dead_letter], 3)
        start = datetime.now(UTC) - timedelta(hours=1)
        payload = fixes(args.fixes, start, 1)
        prod = kafka_io.producer(ep.kafka_bootstrap_servers)
        t0 = time.perf_counter()
        for i, v in enumerate(payload):
            prod.send(topic, key=f"veh-{i % VEHICLES:04d}".encode(), value=v)
        prod.flush()
        print(f"published {args.fixes} fixes in {time.perf_counter() - t0:.1f} s")

        kind = kinds(settings)["gps"]
        timings = Timings()
        consumer = TopicConsumer(
            kind,
            topic,
            ep.kafka_bootstrap_servers,
            ep.database_url,
            settings.topic_dead_letter,
            ValidationPolicy(settings.city_profile().bbox, max_age=kind.max_age),
            batch_size=args.batch_size,
            on_commit=timings,
        )
        # Phase 1: drain the backlog (the group join before the first fetch is not counted).
        first_fetch = [0.0]
        real_prepare = consumer._prepare

        def timed_prepare(messages: list[Any]) -> Any:
            if not first_fetch[0]:
                first_fetch[0] = time.time()
            return real_prepare(messages)

        consumer._prepare = timed_prepare  # type: ignore[method-assign]
        prof = cProfile.Profile() if args.profile else None
        if prof:
            prof.enable()
        consumer.run(lambda: timings.count >= args.fixes)
        if prof:
            prof.disable()
        elapsed = timings.commits[-1][0] - first_fetch[0]
        throughput = args.fixes / elapsed
        n_stored = asyncio.run(stored(ep.database_url))
        print(
            f"phase 1: {args.fixes} fixes drained in {elapsed:.2f} s"
            f" = {throughput:,.0f} fixes/s; rows stored {n_stored}"
        )

        # Phase 2: steady production, measure lag.
        timings.commits, timings.count = [], 0
        live_n = int(args.rate * args.seconds)
        live = fixes(live_n, datetime.now(UTC), 2)

        def produce() -> None:
            t_start = time.perf_counter()
            for i, v in enumerate(live):
                due = t_start + i / args.rate
                delay = due - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                prod.send(topic, key=b"live", value=v, timestamp_ms=int(time.time() * 1000))
            prod.flush()

        th = threading.Thread(target=produce)
        th.start()
        deadline = time.time() + args.seconds + 30
        consumer.run(lambda: timings.count >= live_n or time.time() > deadline)
        th.join()
        lags = np.array([c_at - ts / 1000 for c_at, tss in timings.commits for ts in tss])
        consumer.close()
        prod.close()
        seen = timings.count
        p50, p99 = (float(np.percentile(lags, q)) for q in (50, 99))
        print(
            f"phase 2: {seen} fixes at {args.rate:.0f}/s: lag p50 {p50 * 1000:.0f} ms,"
            f" p99 {p99 * 1000:.0f} ms, max {lags.max() * 1000:.0f} ms"
        )
        if prof:
            pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
        print(
            f"RESULT ingest_fixes_per_s={throughput:.0f} lag_p99_s={p99:.3f} "
            f"lag_p50_s={p50:.3f} fixes={args.fixes} batch_size={args.batch_size}"
        )


if __name__ == "__main__":
    main()
