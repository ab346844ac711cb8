"""Drivers' reports on planned stops and a plan's progress (pure; stored by
``core.db.stop_reports``, read by the API and by mid-day re-planning)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from core.plan import Stop


@dataclass(frozen=True, slots=True)
class StopReport:
    """A stop as a driver's app shows it: the planned stop and what was reported."""

    stop: Stop
    status: str  # "planned", "emptied" or "skipped"
    reported_at: datetime | None
    fill_observed: float | None
    skip_reason: str | None


@dataclass(frozen=True, slots=True)
class StopCounts:
    """Bin stops of a route (or a plan) by status."""

    planned: int = 0
    emptied: int = 0
    skipped: int = 0

    @property
    def total(self) -> int:
        return self.planned + self.emptied + self.skipped

    @property
    def done(self) -> int:
        return self.emptied + self.skipped


@dataclass(frozen=True, slots=True)
class PlanProgress:
    """How far the drivers are through a plan's bin stops."""

    plan_id: int
    overall: StopCounts
    by_vehicle: Mapping[str, StopCounts]
