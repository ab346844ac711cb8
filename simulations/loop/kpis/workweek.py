"""The study's calendar: which day indices the trucks work (from ``run.json``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any


@dataclass(frozen=True)
class WorkWeek:
    """Day 0 is ``start``; the trucks work on the ``work_days`` weekdays (Monday = 0)."""

    start: date
    work_days: tuple[int, ...]

    def __post_init__(self) -> None:
        if not self.work_days or any(not 0 <= d <= 6 for d in self.work_days):
            raise ValueError("work_days must be weekdays 0..6 (Monday = 0), at least one.")

    def worked(self, day: int) -> bool:
        """Whether the trucks work on day index ``day``."""
        return (self.start + timedelta(days=day)).weekday() in self.work_days

    def off(self, day: int) -> bool:
        """Whether day index ``day`` is a day the trucks do not work."""
        return not self.worked(day)


def week_of_run(meta: Mapping[str, Any]) -> WorkWeek | None:
    """The calendar of a ``run.json`` (None when it lacks ``start`` or ``work_days``)."""
    if "start" not in meta or "work_days" not in meta:
        return None
    return WorkWeek(
        date.fromisoformat(str(meta["start"])), tuple(int(d) for d in meta["work_days"])
    )
