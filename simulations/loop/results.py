"""A run's output as data: one row per day (the study's ``daily.csv``) and one per solve, plus
the fill-at-emptying histogram (:mod:`~simulations.loop.fill_rows`), per-bin overflow
(:mod:`~simulations.loop.bin_rows`) and proof of service (:mod:`~simulations.loop.adherence_rows`).

Pure; :func:`csv_text` renders rows as CSV text and :func:`parse_daily_csv` reads the daily rows
back (the report is regenerated from them); the CLI does the file I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulations.loop.adherence_rows import AdherenceRow
from simulations.loop.bin_rows import BinOverflowRow
from simulations.loop.execution import DayExecution
from simulations.loop.fill_rows import FillRow
from simulations.loop.km_rows import KmRow
from simulations.loop.proof import DayProof
from simulations.loop.tidy import csv_text, parse_rows
from simulations.loop.truth import Ledger

__all__ = ["DAILY_COLUMNS", "DayRow", "PlanRow", "RunResult", "csv_text", "parse_daily_csv"]

DAILY_COLUMNS = (
    "policy",
    "param",
    "seed",
    "day",
    "deposited_l",
    "collected_l",
    "overflow_l",
    "overflow_bin_h",
    "km",
    "drive_h",
    "route_h",
    "collections",
    "disposal_trips",
    "trucks_used",
    "mean_fill_at_emptying",
    "co2_kg",
)


@dataclass(frozen=True, slots=True)
class DayRow:
    """One policy setting, seed and calendar day (a non-working day has no driving)."""

    policy: str
    param: str
    seed: int
    day: int
    deposited_l: float
    collected_l: float
    overflow_l: float
    overflow_bin_h: float
    km: float
    drive_h: float
    route_h: float
    collections: int
    disposal_trips: int
    trucks_used: int
    mean_fill_at_emptying: float  # NaN when nothing was emptied
    co2_kg: float


@dataclass(frozen=True, slots=True)
class PlanRow:
    """How a working day's routes were made and how far the trucks got."""

    policy: str
    param: str
    seed: int
    day: int
    solved: bool  # False: a fixed round's routes driven again
    engine: str
    solver_seed: int
    max_iterations: int
    max_no_improvement: int
    clients: int
    required: int
    objective: int
    violations: int
    planned_bins: int
    done_bins: int
    not_done_bins: int


@dataclass(frozen=True, eq=False)
class RunResult:
    """Everything one (policy, setting, seed) run produced."""

    policy: str
    param: str
    seed: int
    days: tuple[DayRow, ...]
    plans: tuple[PlanRow, ...]
    ledgers: tuple[Ledger, ...] = ()  # per-bin books at each local midnight (when kept)
    executions: tuple[tuple[int, DayExecution], ...] = ()  # (day, what the trucks did)
    fills: tuple[FillRow, ...] = ()  # fill-at-emptying counts per day and fill class
    km_legs: tuple[KmRow, ...] = ()  # km by kind of leg per day
    bin_overflow: tuple[BinOverflowRow, ...] = ()  # per bin, over the evaluated days
    adherence: tuple[AdherenceRow, ...] = ()  # proof of service per working day
    proofs: tuple[tuple[int, DayProof], ...] = ()  # (day, what proof of service read; if kept)


def parse_daily_csv(text: str) -> list[DayRow]:
    """The rows of a ``daily.csv`` text (header :data:`DAILY_COLUMNS`; empty cell: NaN)."""
    return parse_rows(text, DayRow, "daily.csv")
