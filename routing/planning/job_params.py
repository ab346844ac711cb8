"""What a plan job is: its kind and parameters as plain JSON (stored in ``plan_jobs.params``),
from which any worker rebuilds the work, and how its steps map to a progress fraction."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

PLAN_STEPS = (
    "loading inventory and readings",
    "travel matrix",
    "forecast and selection",
    "solving",
    "checking",
    "saving",
)
Progress = Callable[[float, str], None]  # (fraction 0..1, message)


@dataclass(frozen=True, slots=True)
class PlanJobParams:
    """A plan (``replan`` False) or re-plan of ``plan_date``; ``include``/``exclude`` are the
    planners' forced bins as they were when the job was asked for; ``now`` (re-plans) is the
    re-plan's time, None for the time the job runs; ``tz`` is the city's time zone."""

    plan_date: date
    tz: str
    actor: str
    time_limit_s: float = 30.0
    engine: str = "portfolio"
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    replan: bool = False
    now: datetime | None = None

    def __post_init__(self) -> None:
        if self.time_limit_s <= 0:
            raise ValueError("time_limit_s must be positive.")
        if not self.actor:
            raise ValueError("actor must be given.")
        if self.now is not None and self.now.tzinfo is None:
            raise ValueError("now must be timezone-aware.")

    @property
    def kind(self) -> str:
        return "replan" if self.replan else "plan"

    def to_json(self) -> dict[str, Any]:
        return {
            "plan_date": self.plan_date.isoformat(),
            "tz": self.tz,
            "actor": self.actor,
            "time_limit_s": self.time_limit_s,
            "engine": self.engine,
            "include": list(self.include),
            "exclude": list(self.exclude),
            "replan": self.replan,
            "now": None if self.now is None else self.now.isoformat(),
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> PlanJobParams:
        """Parameters as stored by :meth:`to_json`; ValueError/KeyError when malformed."""
        now = d.get("now")
        return cls(
            plan_date=date.fromisoformat(d["plan_date"]),
            tz=str(d["tz"]),
            actor=str(d["actor"]),
            time_limit_s=float(d["time_limit_s"]),
            engine=str(d["engine"]),
            include=tuple(str(b) for b in d.get("include", ())),
            exclude=tuple(str(b) for b in d.get("exclude", ())),
            replan=bool(d.get("replan", False)),
            now=None if now is None else datetime.fromisoformat(now),
        )


class StepProgress:
    """Turns the planning services' step names and solutions into progress fractions: 0.05 to
    0.95 over ``steps``, the solving step advancing with the time spent of ``time_limit_s``."""

    def __init__(self, steps: Sequence[str], time_limit_s: float, progress: Progress) -> None:
        self.steps = tuple(steps)
        self.time_limit_s = time_limit_s
        self.progress = progress
        self._solving_since = 0.0

    def step(self, name: str) -> None:
        i = next((k for k, s in enumerate(self.steps) if name.startswith(s)), 0)
        if name.startswith("solving"):
            self._solving_since = time.monotonic()
        self.progress(0.05 + 0.9 * i / len(self.steps), name)

    def on_solution(self, engine: str, _: object) -> None:
        spent = (time.monotonic() - self._solving_since) / self.time_limit_s
        i = next((k for k, s in enumerate(self.steps) if s.startswith("solving")), 3)
        frac = 0.05 + 0.9 * (i + min(1.0, spent)) / len(self.steps)
        self.progress(frac, f"solving: {engine} found a solution")
