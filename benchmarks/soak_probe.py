"""The soak benchmark's probes: per-process CPU and memory from /proc (Linux), and a monitor
thread that samples lag, stored rows, RSS and database size and kills consumers on schedule."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import asyncpg
import numpy as np
from kafka import KafkaAdminClient, TopicPartition

from core.db.load_figures import database_size, inserted_rows

if TYPE_CHECKING:
    from benchmarks.soak_rig import ConsumerFleet, PacedLoad

KINDS = ("gps", "fill", "parking")
TABLES = {"gps": "gps_fixes", "fill": "fill_readings", "parking": "parking_observations"}

# --- /proc -------------------------------------------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2 :].split()  # fields from the 3rd (state) on


def cpu_seconds(pid: int, children: bool = False) -> float | None:
    """User + system CPU seconds of a process (and of its waited-for children, if asked)."""
    f = _stat_fields(pid)
    if f is None:
        return None
    ticks = int(f[11]) + int(f[12]) + ((int(f[13]) + int(f[14])) if children else 0)
    return ticks / _TICK


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def find_server(port: int, names: tuple[str, ...]) -> int | None:
    """The pid of the server process named like ``names`` whose command line has ``port``."""
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            cmd = (d / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if cmd and Path(cmd[0].decode(errors="replace")).name in names:
            args = b" ".join(cmd).decode(errors="replace")
            if f":{port}" in args or f"-p {port}" in args:
                return int(d.name)
    return None


def tree_cpu_seconds(pid: int) -> float:
    """CPU of a server and all its live and exited children (PostgreSQL's backends)."""
    total = cpu_seconds(pid, children=True) or 0.0
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            f = _stat_fields(int(d.name))
            if f is not None and int(f[1]) == pid:
                total += cpu_seconds(int(d.name), children=True) or 0.0
    return total


def machine_busy_seconds() -> float:
    """CPU seconds all processes of the machine have used (from /proc/stat)."""
    parts = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in parts[:8])
    return (user + nice + system + irq + softirq + steal) / _TICK


class CpuMeter:
    """CPU seconds per component from the moment it is made: this process (the producer and
    the monitor thread), the consumers per kind (killed incarnations included), the broker,
    PostgreSQL and its backends, and the whole machine (other users included)."""

    def __init__(self, fleet: ConsumerFleet, broker_pid: int | None, pg_pid: int | None) -> None:
        self.fleet, self.broker_pid, self.pg_pid = fleet, broker_pid, pg_pid
        fleet.sample(0.0)
        self.base = self._now()

    def _now(self) -> dict[str, float]:
        t = os.times()
        out = {"producer (this process)": t.user + t.system}
        for k in KINDS:
            out[f"consumers {k}"] = sum(
                s.cpu_s_done + s.cpu_s_now for s in self.fleet.slots if s.kind == k
            )
        if self.broker_pid:
            out["broker (Tansu)"] = cpu_seconds(self.broker_pid) or 0.0
        if self.pg_pid:
            out["PostgreSQL (all backends)"] = tree_cpu_seconds(self.pg_pid)
        out["machine"] = machine_busy_seconds()
        return out

    def used(self, now: float) -> tuple[dict[str, float], float]:
        """CPU seconds per component since construction, and the machine's."""
        self.fleet.sample(now)
        end = self._now()
        used = {k: end[k] - self.base[k] for k in end}
        return {k: v for k, v in used.items() if k != "machine"}, used["machine"]


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (t, y) points; 0 with fewer than three."""
    if len(points) < 3:
        return 0.0
    t, y = np.array(points).T
    return float(np.polyfit(t, y, 1)[0])


def rss_growth_mb_per_h(
    fleet: ConsumerFleet, warm_up_s: float = 30.0, span_s: float = 30.0
) -> float:
    """RSS slope in MB/h of each kind's longest-lived consumer incarnation after ``warm_up_s``
    (imports, joining, first batches); the largest over kinds. An incarnation with less than
    ``span_s`` of samples after its warm-up is no evidence either way (0 when none has)."""
    slopes = []
    for kind in {s.kind for s in fleet.slots}:
        lives = [life for s in fleet.slots if s.kind == kind for life in s.rss if life]
        spans = [[(t, mb) for t, mb in life if t - life[0][0] >= warm_up_s] for life in lives]
        spans = [p for p in spans if p and p[-1][0] - p[0][0] >= span_s]
        if spans:
            longest = max(spans, key=lambda p: p[-1][0] - p[0][0])
            slopes.append(slope(longest) * 3600)
    return max(slopes, default=0.0)


def recoveries(
    samples: list[tuple[float, dict[str, int], dict[str, int]]], kills: list[tuple[float, str]]
) -> list[float]:
    """Seconds from each SIGKILL until its kind's committed offsets moved again (a restarted
    consumer joined, fetched and stored); kills never recovered in the samples are left out."""
    out = []
    for t_kill, name in kills:
        kind = name.split("#")[0]
        after = [(t, p[kind] - lag[kind]) for t, p, lag in samples if t > t_kill]
        if after:
            c0 = after[0][1]
            moved = next((t for t, c in after if c > c0), None)
            if moved is not None:
                out.append(moved - t_kill)
    return out


class Monitor:
    """Samples lag, stored rows, RSS and DB size once a second in a thread; kills on schedule."""

    def __init__(
        self,
        bs: str,
        dsn: str,
        topics: dict[str, tuple[str, int]],
        load: PacedLoad,
        fleet: ConsumerFleet,
        rates: dict[str, float],
        kill_every: float,
        print_every: float,
    ) -> None:
        self.dsn, self.topics, self.load, self.fleet = dsn, topics, load, fleet
        self.rates, self.kill_every, self.print_every = rates, kill_every, print_every
        self.admin = KafkaAdminClient(bootstrap_servers=bs, client_id="soak-monitor")
        self.samples: list[tuple[float, dict[str, int], dict[str, int]]] = []  # t, produced, lag
        self.db_mb: list[tuple[float, float]] = []
        self.stop_event = threading.Event()
        self.kill_log: list[tuple[float, str]] = []
        self.t0 = time.monotonic()
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, name="monitor", daemon=True)

    def committed(self, kind: str) -> int:
        """The consumer group's committed offsets summed over the topic's partitions."""
        topic, parts = self.topics[kind]
        tps = [TopicPartition(topic, p) for p in range(parts)]
        group = f"cityops-ingest-{kind}"
        got = self.admin.list_group_offsets({group: tps}).get(group, {})
        return sum(max(0, o.offset) for tp, o in got.items() if tp.topic == topic)

    def _db(self) -> tuple[dict[str, int], float]:
        async def q() -> tuple[dict[str, int], float]:
            conn = await asyncpg.connect(self.dsn)
            try:
                ins = await inserted_rows(conn, list(TABLES.values()))
                return ins, await database_size(conn) / 2**20
            finally:
                await conn.close()

        return self.loop.run_until_complete(q())

    def sample(self, show: bool) -> None:
        t_call = time.monotonic()
        now = t_call - self.t0
        produced = {k: self.load.produced.total(k) for k in KINDS}
        lag = {k: max(0, produced[k] - self.committed(k)) for k in KINDS}
        self.samples.append((now, produced, lag))
        self.fleet.sample(now)
        if not show:
            return
        ins, mb = self._db()
        self.db_mb.append((now, mb))
        rss = " ".join(
            f"{s.name}={s.rss[-1][-1][1]:.0f}" for s in self.fleet.slots if s.rss and s.rss[-1]
        )
        lags = " ".join(f"{k}={lag[k]}({lag[k] / self.rates[k]:.1f}s)" for k in KINDS)
        print(
            f"[{now:6.1f}s] produced gps={produced['gps']} fill={produced['fill']}"
            f" parking={produced['parking']} | stored~ {sum(ins.values())}"
            f" | lag {lags} | rss MB {rss} | db {mb:.0f} MB"
            f" | sampled in {time.monotonic() - t_call:.2f} s",
            flush=True,
        )

    def _run(self) -> None:
        next_kill = self.kill_every if self.kill_every > 0 else float("inf")
        last_print = -1e9
        while not self.stop_event.wait(1.0):
            now = time.monotonic() - self.t0
            show = now - last_print >= self.print_every
            if show:
                last_print = now
            try:
                self.sample(show)
            except Exception as e:  # a sample lost to a busy broker is not worth the run
                print(f"[{now:6.1f}s] sample failed: {e!r}", flush=True)
            if next_kill <= now < self.kill_until - 1.0:
                name = self.fleet.kill_one()
                self.kill_log.append((now, name))
                print(f"[{now:6.1f}s] SIGKILL {name}, restarted", flush=True)
                next_kill += self.kill_every

    kill_until = float("inf")  # no kills from a second before this (the end of production)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(30)
        self.admin.close()
        self.loop.close()
