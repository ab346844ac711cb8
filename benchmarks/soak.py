"""Soak: the whole ingest pipeline at X times the reference city's rate, killing consumers.

The reference city: 1,500 vehicles with one GPS fix a second, 1,000 bin fill sensors reading
every 10 min and 410 parking sites counting every minute; ``--rate-x 10`` multiplies all three
(15,000 fixes/s). A paced producer (this process) sends them; every consumer is a real
``city-ingest`` process, and one of them is SIGKILLed and restarted every ``--kill-every``
seconds. Every ``--print-every`` seconds: produced, stored, lag per topic (produced minus the
group's committed offsets; the embedded broker's end offsets under-report), consumers' RSS and
the database size. At the end: drain, reconcile (every produced message stored once or
dead-lettered with a reason), CPU seconds per process, and a ``RESULT`` line.

    python benchmarks/soak.py --minutes 3 --rate-x 10 [--gps-consumers 2] [--kill-every 30]

Uses the embedded broker and database unless KAFKA_BOOTSTRAP_SERVERS / DATABASE_URL are set
(then it empties the three history tables first, like benchmarks/ingest.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

# benchmarks/ingest.py is named like the `ingest` package: keep this folder off the import path,
# and put the project root on it for the rig next to this file.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import argparse
import asyncio
import os
import tempfile
import time
import uuid
from dataclasses import dataclass

import asyncpg
import numpy as np

from benchmarks.soak_probe import (
    KINDS,
    TABLES,
    CpuMeter,
    Monitor,
    find_server,
    recoveries,
    rss_growth_mb_per_h,
    rss_mb,
    slope,
)
from benchmarks.soak_rig import CityRates, ConsumerFleet, PacedLoad, read_dead_letters, register
from core.db.load_figures import database_size, source_counts, stored_among, table_bytes
from core.db.migrate import migrate
from core.db.tables import truncate
from core.embedded import services
from core.settings import Settings
from ingest import kafka_io


async def prepare_db(dsn: str, clean: bool) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await migrate(conn)
        if clean:
            await truncate(conn, [*TABLES.values(), "vehicle_state", "bin_state", "parking_state"])
    finally:
        await conn.close()


async def reconcile_db(
    dsn: str, dead: dict[str, dict[tuple[int, int], str]]
) -> tuple[dict[str, tuple[int, int, int]], int]:
    """Per kind: rows, distinct sources, rows whose source was also dead-lettered; DB bytes.
    Prints each history table's size with its indexes per row."""
    conn = await asyncpg.connect(dsn)
    try:
        out = {}
        for k in KINDS:
            rows, distinct = await source_counts(conn, TABLES[k])
            both = await stored_among(conn, TABLES[k], list(dead.get(k, {})))
            out[k] = (rows, distinct, both)
            size = await table_bytes(conn, TABLES[k])
            print(
                f"  {TABLES[k]}: {size / 2**20:.1f} MB, {size / max(rows, 1):.0f} B/row", flush=True
            )
        return out, await database_size(conn)
    finally:
        await conn.close()


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else 0.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--minutes", type=float, default=3.0, help="how long to produce")
    ap.add_argument("--rate-x", type=float, default=1.0, help="multiple of the reference rates")
    ap.add_argument("--kill-every", type=float, default=30.0, help="SIGKILL a consumer every N s")
    ap.add_argument("--gps-consumers", type=int, default=1, help="GPS consumer processes")
    ap.add_argument("--gps-partitions", type=int, default=2, help="partitions of the GPS topic")
    ap.add_argument(
        "--bad-every", type=int, default=10, help="a poison message per topic every N s"
    )
    ap.add_argument("--print-every", type=float, default=5.0)
    ap.add_argument("--drain-timeout", type=float, default=120.0)
    ap.add_argument(
        "--backlog-s",
        type=int,
        default=0,
        help="first publish this many seconds of the city unpaced, before any consumer starts:\n"
        "the start measures how fast the consumers drain a backlog (flat out)",
    )
    ap.add_argument("--logs", type=Path, help="keep the consumers' logs here (default: dropped)")
    args = ap.parse_args(argv)
    if args.minutes <= 0 or args.gps_consumers < 1 or args.gps_partitions < 1:
        ap.error("--minutes, --gps-consumers and --gps-partitions must be positive")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    settings = Settings()
    rates = CityRates.at(args.rate_x)
    per_s = rates.per_second()
    box = settings.city_profile().bbox
    seconds = args.minutes * 60
    configured_db = settings.database_url.get_secret_value()
    with (
        services(settings.kafka_bootstrap_servers, configured_db) as ep,
        tempfile.TemporaryDirectory(prefix="soak-") as tmp,
    ):
        bs, dsn = ep.kafka_bootstrap_servers, ep.database_url
        asyncio.run(prepare_db(dsn, clean=not ep.embedded_db))
        asyncio.run(register(dsn, rates, box))
        run = f"soak{uuid.uuid4().hex[:6]}"
        parts = {"gps": args.gps_partitions, "fill": 1, "parking": 1}
        topics = {k: (f"{run}.{k}", parts[k]) for k in KINDS}
        dlq = f"{run}.dlq"
        for k in KINDS:
            kafka_io.ensure_topics(bs, [topics[k][0]], parts[k])
        kafka_io.ensure_topics(bs, [dlq], 1)
        env = {
            **os.environ,
            "KAFKA_BOOTSTRAP_SERVERS": bs,
            "DATABASE_URL": dsn,
            "CITYOPS_TOPIC_GPS": topics["gps"][0],
            "CITYOPS_TOPIC_FILL": topics["fill"][0],
            "CITYOPS_TOPIC_PARKING": topics["parking"][0],
            "CITYOPS_TOPIC_DEAD_LETTER": dlq,
        }
        logs = args.logs or Path(tmp)
        logs.mkdir(parents=True, exist_ok=True)
        fleet = ConsumerFleet(env, {"gps": args.gps_consumers}, logs)
        producer = kafka_io.producer(bs)
        load = PacedLoad(producer, topics, rates, box, args.bad_every)
        if args.backlog_s:
            tb = time.monotonic()
            load.run(args.backlog_s, None)
            print(
                f"backlog: {load.produced.total('gps')} fixes published in"
                f" {time.monotonic() - tb:.1f} s before the consumers start",
                flush=True,
            )
        fleet.start()
        try:
            if not fleet.wait_assigned(45.0):
                print("warning: not every consumer reported its partitions within 45 s", flush=True)
            print(
                f"soak: x={args.rate_x:g} ({per_s['gps']:.0f} fixes/s, {per_s['fill']:.2f} fill/s,"
                f" {per_s['parking']:.2f} parking/s) for {seconds:.0f} s; consumers"
                f" {', '.join(s.name for s in fleet.slots)}; gps partitions {args.gps_partitions};"
                f" kill every {args.kill_every:g} s",
                flush=True,
            )
            monitor = Monitor(
                bs, dsn, topics, load, fleet, per_s, args.kill_every, args.print_every
            )
            pg_pid = find_server(int(dsn.rsplit(":", 1)[1].split("/")[0]), ("postgres",))
            broker_pid = find_server(int(bs.rsplit(":", 1)[1]), ("tansu",))
            cpu = CpuMeter(fleet, broker_pid, pg_pid)
            t0 = time.monotonic()
            monitor.t0, monitor.kill_until = t0, seconds
            monitor.start()
            load.run(seconds, t0, first=args.backlog_s)
            t_prod = time.monotonic() - t0
            drained = _drain(monitor, args.drain_timeout)
            t_end = time.monotonic() - t0
            used, machine = cpu.used(t_end)
            broker_rss = rss_mb(broker_pid) if broker_pid else None
            monitor.stop()
            producer.close()
        finally:
            for line in fleet.stop():
                print(f"consumer {line}", flush=True)
        dead, deliveries = read_dead_letters(bs, dlq, sum(load.produced.bad.values()))
        by_kind = {k: dead.get(topics[k][0], {}) for k in KINDS}
        db, db_bytes = asyncio.run(reconcile_db(dsn, by_kind))
        _report(
            Finished(
                args,
                per_s,
                load,
                monitor,
                fleet,
                by_kind,
                deliveries,
                db,
                db_bytes,
                drained,
                t_prod,
                t_end,
                used,
                machine,
                broker_rss,
            )
        )


def _drain(monitor: Monitor, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if monitor.samples and not any(monitor.samples[-1][2].values()):
            produced = monitor.samples[-1][1]
            if all(produced[k] == monitor.load.produced.total(k) for k in KINDS):
                return True
        time.sleep(0.5)
    return False


@dataclass(frozen=True)
class Finished:
    """What a finished soak run leaves for the report."""

    args: argparse.Namespace
    per_s: dict[str, float]  # target rates per kind
    load: PacedLoad
    monitor: Monitor
    fleet: ConsumerFleet
    dead: dict[str, dict[tuple[int, int], str]]  # per kind: dead letters' reasons
    deliveries: int  # dead-letter deliveries read
    db: dict[str, tuple[int, int, int]]  # per kind: rows, distinct sources, also dead-lettered
    db_bytes: int
    drained: bool
    t_prod: float  # seconds of production
    t_end: float  # seconds from the first send until drained
    used: dict[str, float]  # CPU seconds per component
    machine: float  # CPU seconds of the whole machine
    broker_rss: float | None


def _reconcile(run: Finished) -> tuple[int, int, int]:
    """Print the reconciliation per kind; lost, duplicated and dead-lettered messages."""
    lost = duplicated = letters_total = 0
    print("\nreconciliation (by Kafka source and natural key):", flush=True)
    for k in KINDS:
        produced = run.load.produced.total(k)
        reasons: dict[str, int] = {}
        for reason in run.dead[k].values():
            reasons[reason] = reasons.get(reason, 0) + 1
        copies = reasons.get("duplicate", 0)  # extra copies of a stored key (producer retries)
        letters = sum(reasons.values()) - copies
        rows, distinct, both = run.db[k]
        lost_k = produced - rows - letters
        dup_k = (rows - distinct) + both
        lost += lost_k
        duplicated += dup_k
        letters_total += letters
        print(
            f"  {k:8s} produced {produced:>9d} (poison {run.load.produced.bad[k]})"
            f" stored {rows:>9d} dead-lettered {letters} {reasons} -> lost {lost_k}"
            f" duplicated {dup_k} (extra copies {copies})",
            flush=True,
        )
    return lost, duplicated, letters_total


def _report(run: Finished) -> None:
    """Print the reconciliation, the figures and where the time went; end with RESULT."""
    args, per_s, load, monitor, fleet = run.args, run.per_s, run.load, run.monitor, run.fleet
    db, db_bytes, drained, t_prod, t_end = run.db, run.db_bytes, run.drained, run.t_prod, run.t_end
    window = [s for s in monitor.samples if s[0] <= t_prod]
    gps_rate = per_s["gps"]
    # lag in seconds of the offered load: what this producer got out, which is below the
    # target when it could not keep up (``behind``)
    offered = load.produced.total("gps") / max(t_prod, 1e-9)
    lag_s = [s[2]["gps"] / offered for s in window]
    # sustained: every GPS fix stored, from the first send until drained (recoveries included)
    fixes_per_s = db["gps"][0] / t_end
    # flat out: the fastest 5 s of storing seen (a consumer catching up after a kill)
    done = [(t, float(p["gps"] - lag["gps"])) for t, p, lag in monitor.samples]
    flat_out = max(
        ((b[1] - a[1]) / (b[0] - a[0]) for a, b in zip(done, done[5:], strict=False)), default=0.0
    )
    lag_growth = slope([(t, float(lag["gps"])) for t, _, lag in window])
    kept_up = load.produced.behind_s < 5.0
    held = drained and kept_up and lag_growth < 0.05 * gps_rate
    lost, duplicated, letters_total = _reconcile(run)
    print(
        f"  dead-letter deliveries read {run.deliveries}; producer send failures"
        f" {load.produced.failed}; drained {'yes' if drained else 'NO'}"
        f" ({t_end - t_prod:.1f} s after production)",
        flush=True,
    )
    print(
        f"\nthroughput: gps stored {fixes_per_s:,.0f} fixes/s sustained (first send to drained;"
        f" target {gps_rate:,.0f}, offered {offered:,.0f}); fastest 5 s {flat_out:,.0f} fixes/s;"
        f" producer fell behind by at most {load.produced.behind_s:.2f} s",
        flush=True,
    )
    print(
        f"lag (gps, s): p50 {_pct(lag_s, 50):.2f} p99 {_pct(lag_s, 99):.2f}"
        f" max {max(lag_s, default=0):.2f}; growth {lag_growth:+.0f} msgs/s ->"
        f" {'held' if held else 'NOT held'}",
        flush=True,
    )
    timeline = " ".join(f"{t:.0f}:{lag['gps'] / offered:.1f}" for t, _, lag in window[::10])
    print(f"lag timeline (t s: gps lag s, every 10th sample): {timeline}", flush=True)
    rec = recoveries(monitor.samples, monitor.kill_log)
    print(
        f"recovery after SIGKILL (until the kind's offsets move again): "
        f"{', '.join(f'{r:.1f}' for r in rec) or 'n/a'} s",
        flush=True,
    )
    rss_growth = rss_growth_mb_per_h(fleet)
    last_rss = {s.name: s.rss[-1][-1][1] for s in fleet.slots if s.rss and s.rss[-1]}
    print(
        f"memory: consumer RSS at end {last_rss} MB; growth {rss_growth:+.1f} MB/h"
        f" (per kind, its longest-lived incarnation after a 30 s warm-up; the largest); broker RSS"
        f" {run.broker_rss or 0:.0f} MB (memory storage keeps every message)",
        flush=True,
    )
    rows_all = sum(db[k][0] for k in KINDS)
    db_growth = slope(monitor.db_mb) * 3600
    print(
        f"database: {db_bytes / 2**20:.0f} MB, {rows_all} ingested rows"
        f" (~{db_bytes / max(rows_all, 1):.0f} B/row incl. indexes and the inventory);"
        f" growth {db_growth:,.0f} MB/h at this rate",
        flush=True,
    )
    msgs = sum(load.produced.total(k) for k in KINDS)
    print(
        f"\nwhere the time goes ({t_end:.0f} s from first send to drained, {msgs} messages):",
        flush=True,
    )
    for name, cpu in run.used.items():
        print(
            f"  {name:28s} {cpu:7.1f} CPU s  {100 * cpu / t_end:5.1f} % of a core"
            f"  {1e6 * cpu / max(msgs, 1):6.1f} µs/message",
            flush=True,
        )
    ours = sum(run.used.values())
    print(
        f"  machine busy {run.machine:.1f} CPU s of {2 * t_end:.0f} available; others used"
        f" ~{max(0.0, run.machine - ours):.1f} CPU s",
        flush=True,
    )
    if not kept_up:
        print(
            f"the producer (one Python process) could not offer x={args.rate_x:g}: it sent"
            f" {offered:,.0f} fixes/s; the consumers' capacity is the flat-out figure",
            flush=True,
        )
    if not held:
        print(
            f"the pipeline did NOT hold x={args.rate_x:g}: the highest rate it carried here is"
            f" ~{fixes_per_s:,.0f} fixes/s sustained (x~{fixes_per_s / 1500:.1f}),"
            f" {flat_out:,.0f} fixes/s flat out",
            flush=True,
        )
    print(
        f"RESULT fixes_per_s={fixes_per_s:.0f} lag_p99_s={_pct(lag_s, 99):.2f}"
        f" rss_growth_mb_per_h={rss_growth:.1f} lost={lost} duplicated={duplicated}"
        f" target_fixes_per_s={gps_rate:.0f} lag_p50_s={_pct(lag_s, 50):.2f}"
        f" held={'yes' if held else 'no'} dead_lettered={letters_total} kills={fleet.kills}"
        f" db_mb={db_bytes / 2**20:.0f} rate_x={args.rate_x:g}"
        f" gps_consumers={args.gps_consumers} drained={'yes' if drained else 'no'}"
        f" flat_out_fixes_per_s={flat_out:.0f} recovery_max_s={max(rec, default=0):.1f}"
        f" offered_fixes_per_s={offered:.0f}",
        flush=True,
    )


if __name__ == "__main__":
    main()
