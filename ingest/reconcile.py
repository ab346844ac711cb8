"""Count what happened to every produced message: stored rows and unique dead letters."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

from ingest import kafka_io


@dataclass
class DeadLetterCount:
    """Unique dead letters per source topic and reason (replays counted once)."""

    by_topic: Counter[str] = field(default_factory=Counter)
    by_reason: dict[str, Counter[str]] = field(default_factory=dict)
    deliveries: int = 0  # including replays after a crash


def count_dead_letters(
    bootstrap: str,
    topic: str,
    expected: int | None = None,
    idle_s: float = 3.0,
    timeout_s: float = 60.0,
) -> DeadLetterCount:
    """Read the whole dead-letter topic with a throw-away group.

    Stops when ``expected`` unique letters were seen (if given) or after ``idle_s`` of silence.
    """
    c = kafka_io.consumer(bootstrap, topic, f"reconcile-{uuid.uuid4().hex[:8]}", 6000, 10000)
    seen: set[tuple[str, str, str]] = set()
    out = DeadLetterCount()
    start = last = time.monotonic()
    try:
        while time.monotonic() - start < timeout_s:
            polled = c.poll(timeout_ms=500)
            if not polled:
                if time.monotonic() - last > idle_s and (expected is None or len(seen) >= expected):
                    break
                if expected is not None and len(seen) >= expected and seen:
                    break
                continue
            last = time.monotonic()
            for msgs in polled.values():
                for m in msgs:
                    out.deliveries += 1
                    h = kafka_io.header_map(m.headers)
                    src = (h[kafka_io.H_TOPIC], h[kafka_io.H_PARTITION], h[kafka_io.H_OFFSET])
                    if src in seen:
                        continue
                    seen.add(src)
                    out.by_topic[src[0]] += 1
                    out.by_reason.setdefault(src[0], Counter())[h[kafka_io.H_REASON]] += 1
    finally:
        c.close()
    return out
