"""A run's output as data: one row per day (the study's ``daily.csv``) and one per solve.

Pure; :func:`csv_text` renders rows as CSV text and :func:`parse_daily_csv` reads the daily rows
back (the report is regenerated from them); the CLI does the file I/O.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import astuple, dataclass

from simulations.loop.execution import DayExecution
from simulations.loop.truth import Ledger

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


def _cell(v: object) -> object:
    if isinstance(v, float):
        return "" if math.isnan(v) else repr(round(v, 6))
    if isinstance(v, bool):
        return int(v)
    return v


def csv_text(rows: Iterable[DayRow | PlanRow], columns: Sequence[str]) -> str:
    """CSV with a header line; floats to 6 decimals, NaN as an empty cell."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([_cell(v) for v in astuple(r)])
    return buf.getvalue()


def parse_daily_csv(text: str) -> list[DayRow]:
    """The rows of a ``daily.csv`` text (header :data:`DAILY_COLUMNS`; empty cell: NaN)."""
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != DAILY_COLUMNS:
        raise ValueError(f"daily.csv must have the columns {', '.join(DAILY_COLUMNS)}.")
    ints = {"seed", "day", "collections", "disposal_trips", "trucks_used"}
    out = []
    for rec in reader:
        values: list[object] = []
        for k in DAILY_COLUMNS:
            v = rec[k]
            if k in ("policy", "param"):
                values.append(v)
            elif k in ints:
                values.append(int(v))
            else:
                values.append(float(v) if v != "" else math.nan)
        out.append(DayRow(*values))  # type: ignore[arg-type]
    return out
