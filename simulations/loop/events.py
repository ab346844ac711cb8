"""A small discrete-event simulator: a heap of timed actions, run in time order.

Ties are broken by a priority (lower first), then by the order of scheduling, so a run is a
deterministic function of what was scheduled.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from enum import IntEnum

Action = Callable[[float], None]


class Priority(IntEnum):
    """Order of events at the same instant."""

    EMPTY = 0  # a truck empties a bin
    CLOSE = 1  # a day's books are closed
    SWEEP = 2  # the sensors measure
    PLAN = 3  # the platform plans a working day


class Simulator:
    """Schedule actions at sim hours; :meth:`run` calls them in order with their time."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, int, Action]] = []
        self._seq = itertools.count()
        self.now = 0.0

    def schedule(self, t_h: float, priority: Priority, action: Action) -> None:
        if t_h < self.now:
            raise ValueError(f"cannot schedule at {t_h}, before now ({self.now}).")
        heapq.heappush(self._heap, (float(t_h), int(priority), next(self._seq), action))

    def run(self, until: float) -> int:
        """Run every action due up to and including ``until``; returns how many ran."""
        n = 0
        while self._heap and self._heap[0][0] <= until:
            t, _, _, action = heapq.heappop(self._heap)
            self.now = t
            action(t)
            n += 1
        self.now = max(self.now, until)
        return n

    def __len__(self) -> int:
        return len(self._heap)
