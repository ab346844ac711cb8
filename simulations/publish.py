"""Publish simulated streams to the broker, as fast as possible or paced (Kafka adapter)."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from ingest import kafka_io


@dataclass
class PublishCounts:
    """Messages sent per topic, and how many of them were deliberately faulty."""

    sent: Counter[str] = field(default_factory=Counter)
    faulty: Counter[str] = field(default_factory=Counter)


class Publisher:
    """Sends (key, value) messages; ``speedup`` > 0 paces them to simulated time / speedup."""

    def __init__(self, bootstrap: str, speedup: float = 0.0) -> None:
        if speedup < 0:
            raise ValueError("speedup must be >= 0 (0 = as fast as possible).")
        self._producer = kafka_io.producer(bootstrap)
        self.speedup = speedup
        self.counts = PublishCounts()
        self._origin: tuple[float, datetime] | None = None

    def restart_pacing(self) -> None:
        """Pace from the next message on (a new simulated day: the night is not waited for)."""
        self._origin = None

    def _pace(self, sim_time: datetime) -> None:
        if not self.speedup:
            return
        if self._origin is None:
            self._origin = (time.monotonic(), sim_time)
        wall0, sim0 = self._origin
        due = wall0 + (sim_time - sim0).total_seconds() / self.speedup
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)

    def send_all(
        self,
        topic: str,
        messages: Iterable[tuple[str, bytes, bool]],
        sim_time: datetime | None = None,
    ) -> None:
        if sim_time is not None:
            self._pace(sim_time)
        for key, value, valid in messages:
            self._producer.send(topic, key=key.encode(), value=value)
            self.counts.sent[topic] += 1
            if not valid:
                self.counts.faulty[topic] += 1

    def flush(self) -> None:
        self._producer.flush()

    def close(self) -> None:
        self._producer.flush()
        self._producer.close()
