"""The soak benchmark's rig: the city's rates, a paced producer, consumer processes that can be
killed and restarted, and per-process figures read from /proc (Linux)."""

from __future__ import annotations

import math
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
from kafka import KafkaConsumer, TopicPartition

from benchmarks.soak_probe import KINDS, cpu_seconds, rss_mb
from core.db.inventory import save_bins, save_parking_sites, save_sites, save_vehicles
from core.domain import Bin, BoundingBox, ParkingSite, Site, Vehicle, VehicleKind
from core.records import FillReading, GpsFix, ParkingObservation, encode
from ingest import kafka_io

BAD_JSON = b'{"schemaVersion":1,"vehicleId":'  # cut short: a decoder's dead letter (bad_json)
SLICES = 10  # each second's messages go out in ten paced slices


@dataclass(frozen=True)
class CityRates:
    """The reference city at multiple ``x``: 1,500 vehicles at 1 Hz, 1,000 bin sensors reading
    every 10 min, 410 parking sites (400 street segments and 10 car parks) counting every minute.
    """

    x: float
    vehicles: int
    bins: int
    sites: int
    bin_period_s: int = 600
    site_period_s: int = 60

    @classmethod
    def at(cls, x: float) -> CityRates:
        if x <= 0:
            raise ValueError("rate-x must be positive.")
        return cls(x, max(1, round(1500 * x)), max(1, round(1000 * x)), max(1, round(410 * x)))

    def per_second(self) -> dict[str, float]:
        return {
            "gps": float(self.vehicles),
            "fill": self.bins / self.bin_period_s,
            "parking": self.sites / self.site_period_s,
        }


def _ids(prefix: str, n: int) -> list[str]:
    return [f"soak-{prefix}{i:06d}" for i in range(n)]


async def register(dsn: str, rates: CityRates, box: BoundingBox) -> None:
    """Put the soak's vehicles, bins and parking sites into the inventory so they validate."""
    lon, lat = (box.min_lon + box.max_lon) / 2, (box.min_lat + box.max_lat) / 2
    conn = await asyncpg.connect(dsn)
    try:
        await save_sites(conn, [Site("soak-depot", "Soak depot", lon, lat)], "depot")
        await save_vehicles(
            conn, [Vehicle(v, VehicleKind.OTHER, "soak-depot") for v in _ids("v", rates.vehicles)]
        )
        await save_bins(conn, [Bin(b, lon, lat, "Soak St", "") for b in _ids("b", rates.bins)])
        await save_parking_sites(
            conn, [ParkingSite(s, s, "street", 40, lon, lat) for s in _ids("p", rates.sites)]
        )
    finally:
        await conn.close()


@dataclass
class Produced:
    """What the producer handed to the broker, per kind and partition."""

    by_partition: dict[str, Counter[int]] = field(
        default_factory=lambda: {k: Counter() for k in KINDS}
    )
    bad: Counter[str] = field(default_factory=Counter)  # poison messages among them
    failed: int = 0  # sends the broker did not acknowledge
    behind_s: float = 0.0  # the most the producer fell behind its schedule

    def total(self, kind: str) -> int:
        return sum(self.by_partition[kind].values())


class PacedLoad:
    """Sends second ``t``'s messages in ``SLICES`` slices at their due times.

    Second ``t`` holds one fix of every vehicle, the readings of the bins whose turn it is
    (``i % 600 == t % 600``) and the counts of the sites whose turn it is; every message has its
    own natural key, ``(id, start + t)``. A poison message goes to each topic every
    ``bad_every_s`` seconds (0: none).
    """

    def __init__(
        self,
        producer: Any,
        topics: dict[str, tuple[str, int]],
        rates: CityRates,
        box: BoundingBox,
        bad_every_s: int = 10,
    ) -> None:
        self.p, self.topics, self.rates, self.bad_every_s = producer, topics, rates, bad_every_s
        self.produced = Produced()
        self.vehicles = _ids("v", rates.vehicles)
        self.bins = _ids("b", rates.bins)
        self.sites = _ids("p", rates.sites)
        self.lon0 = box.min_lon + 0.3 * (box.max_lon - box.min_lon)
        self.lat0 = box.min_lat + 0.3 * (box.max_lat - box.min_lat)
        self.span = 0.4 * min(box.max_lon - box.min_lon, box.max_lat - box.min_lat)
        self.start = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=2)

    def _failed(self, _exc: object) -> None:
        self.produced.failed += 1

    def _send(self, kind: str, key: bytes, value: bytes, index: int) -> None:
        topic, parts = self.topics[kind]
        part = index % parts
        self.p.send(topic, key=key, value=value, partition=part).add_errback(self._failed)
        self.produced.by_partition[kind][part] += 1

    def _slice(self, t: int, j: int) -> None:
        at = self.start + timedelta(seconds=t)
        n = len(self.vehicles)
        for i in range(n * j // SLICES, n * (j + 1) // SLICES):
            v = self.vehicles[i]
            a = 6.283 * ((i * 37 + t) % 600) / 600
            fix = GpsFix(
                v,
                at,
                self.lon0 + self.span * (0.5 + 0.4 * math.cos(a + i)),
                self.lat0 + self.span * (0.5 + 0.4 * math.sin(a + i)),
                float((i + t) % 50),
                float((i * 7 + t) % 360),
            )
            self._send("gps", v.encode(), encode(fix), i)
        if j == 0:
            r = self.rates
            for i in range(t % r.bin_period_s, len(self.bins), r.bin_period_s):
                level = ((i + t) % 1000) / 1000
                reading = FillReading(self.bins[i], at, level, 12.0, 0.9)
                self._send("fill", self.bins[i].encode(), encode(reading), i)
            for i in range(t % r.site_period_s, len(self.sites), r.site_period_s):
                obs = ParkingObservation(self.sites[i], at, (i + t) % 41, 40)
                self._send("parking", self.sites[i].encode(), encode(obs), i)
            if self.bad_every_s and t % self.bad_every_s == self.bad_every_s - 1:
                for kind in KINDS:
                    self._send(kind, b"bad", BAD_JSON, t)
                    self.produced.bad[kind] += 1

    def run(self, seconds: float, t0: float | None, first: int = 0) -> None:
        """Produce seconds ``first`` .. ``first + seconds`` of the city, paced from monotonic
        time ``t0`` (None: as fast as possible, a backlog), then flush. Paced, it stops at
        ``t0 + seconds`` even if it fell behind (``behind_s`` says by how much)."""
        for k in range(int(seconds)):
            for j in range(SLICES):
                if t0 is not None and time.monotonic() >= t0 + seconds:
                    self.produced.behind_s = max(self.produced.behind_s, seconds - k - j / SLICES)
                    self.p.flush()
                    return
                if t0 is not None:
                    delay = t0 + k + j / SLICES - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                    else:
                        self.produced.behind_s = max(self.produced.behind_s, -delay)
                self._slice(first + k, j)
        self.p.flush()


# --- consumer processes -----------------------------------------------------------------------


@dataclass
class Slot:
    """One consumer process position (kind + index) and its current incarnation."""

    kind: str
    index: int
    log: Path
    proc: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    cpu_s_done: float = 0.0  # CPU of earlier incarnations (killed)
    cpu_s_now: float = 0.0
    rss: list[list[tuple[float, float]]] = field(default_factory=list)  # per incarnation: (t, MB)

    @property
    def name(self) -> str:
        return f"{self.kind}#{self.index}"


class ConsumerFleet:
    """`city-ingest` subprocesses, one per slot, with SIGKILL-and-restart."""

    def __init__(self, env: dict[str, str], counts: dict[str, int], logs: Path) -> None:
        self.env = env
        self.slots = [
            Slot(k, i, logs / f"{k}-{i}.log") for k in KINDS for i in range(counts.get(k, 1))
        ]
        self.kills = 0
        self._next_victim = 0

    def _spawn(self, slot: Slot) -> None:
        cmd = [sys.executable, "-m", "ingest", "--kind", slot.kind, "--log-level", "INFO"]
        with open(slot.log, "ab") as out:
            slot.proc = subprocess.Popen(cmd, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        slot.started = time.monotonic()
        slot.cpu_s_now = 0.0
        slot.rss.append([])

    def start(self) -> None:
        for s in self.slots:
            self._spawn(s)

    def assignments(self) -> int:
        """How many times the consumers' logs say partitions were assigned."""
        n = 0
        for s in self.slots:
            if s.log.exists():
                n += s.log.read_text(errors="replace").count("Setting newly assigned partitions")
        return n

    def wait_assigned(self, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.assignments() >= len(self.slots):
                return True
            time.sleep(0.2)
        return False

    def kill_one(self) -> str:
        """SIGKILL the next consumer in turn and start it again at once."""
        slot = self.slots[self._next_victim % len(self.slots)]
        self._next_victim += 1
        assert slot.proc is not None
        self.sample_cpu(slot)
        slot.proc.send_signal(signal.SIGKILL)
        slot.proc.wait(10)
        slot.cpu_s_done += slot.cpu_s_now
        self.kills += 1
        self._spawn(slot)
        return slot.name

    def sample_cpu(self, slot: Slot) -> None:
        if slot.proc is not None:
            slot.cpu_s_now = cpu_seconds(slot.proc.pid) or slot.cpu_s_now

    def sample(self, now: float) -> None:
        for s in self.slots:
            if s.proc is None:
                continue
            self.sample_cpu(s)
            mb = rss_mb(s.proc.pid)
            if mb is not None:
                s.rss[-1].append((now, mb))

    def stop(self, timeout_s: float = 20.0) -> list[str]:
        """SIGTERM every consumer, return their last output lines (their JSON stats)."""
        for s in self.slots:
            self.sample_cpu(s)
            if s.proc is not None and s.proc.poll() is None:
                s.proc.send_signal(signal.SIGTERM)
        lines = []
        for s in self.slots:
            if s.proc is None:
                continue
            try:
                s.proc.wait(timeout_s)
            except subprocess.TimeoutExpired:
                s.proc.kill()
                s.proc.wait(5)
            s.cpu_s_done += s.cpu_s_now
            s.cpu_s_now = 0.0
            text = s.log.read_text(errors="replace").strip().splitlines()
            lines.append(f"{s.name}: {text[-1] if text else ''}")
        return lines


def read_dead_letters(
    bootstrap: str, topic: str, expected: int, idle_s: float = 3.0, timeout_s: float = 90.0
) -> tuple[dict[str, dict[tuple[int, int], str]], int]:
    """Every dead letter's reason by source topic and (partition, offset), replays counted once;
    and the number of deliveries read. Stops after ``expected`` sources and a quiet poll, or
    ``idle_s`` without messages."""
    c = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    c.assign([TopicPartition(topic, p) for p in sorted(c.partitions_for_topic(topic) or {0})])
    c.seek_to_beginning()  # no group: no join to wait for
    out: dict[str, dict[tuple[int, int], str]] = {}
    seen = deliveries = 0
    start = last = time.monotonic()
    try:
        while time.monotonic() - start < timeout_s:
            polled = c.poll(timeout_ms=500)
            if not polled:
                if seen >= expected > 0:
                    break
                if time.monotonic() - last > idle_s:
                    break
                continue
            last = time.monotonic()
            for msgs in polled.values():
                for m in msgs:
                    deliveries += 1
                    h = kafka_io.header_map(m.headers)
                    src = (int(h[kafka_io.H_PARTITION]), int(h[kafka_io.H_OFFSET]))
                    by_src = out.setdefault(h[kafka_io.H_TOPIC], {})
                    if src not in by_src:
                        by_src[src] = h[kafka_io.H_REASON]
                        seen += 1
    finally:
        c.close()
    return out, deliveries
