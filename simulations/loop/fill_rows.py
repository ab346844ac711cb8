"""How full the bins were when emptied, as a histogram per run and day (``fill_at_emptying.csv``).

One row per (policy, setting, seed, day, fill class) with the number of emptyings in it; classes
with no emptying are left out. The classes are 5 % wide, ``[fill_from, fill_to)``, and one more,
``[1, 1]``, counts the bins found full (they had overflowed). Counts rather than one row per
emptying: the Copenhagen study empties about 250,000 bins per seed (750,000 rows, ~25 MB), while
the histogram and the share under 25 % full need only the counts, which stay exact because 25 %
is a class edge; keeping the day lets the report leave the warm-up out. At most 21 rows per
run-day (about 35,000 for Copenhagen).

Pure; :func:`~simulations.loop.tidy.csv_text` writes the rows and :func:`parse_fill_csv` reads
them back.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from simulations.loop.tidy import columns_of, parse_rows

STEP = 0.05
EDGES = tuple(k / 20 for k in range(21))  # 0, 0.05, ..., 1
CLASSES = (*zip(EDGES[:-1], EDGES[1:], strict=True), (1.0, 1.0))  # the last: found full
FULL_TOL = 1e-9


@dataclass(frozen=True, slots=True)
class FillRow:
    """Emptyings of one run on one day whose fill (0-1) fell in ``[fill_from, fill_to)``."""

    policy: str
    param: str
    seed: int
    day: int
    fill_from: float
    fill_to: float  # == fill_from == 1: the bin was full
    emptyings: int


FILL_COLUMNS = columns_of(FillRow)


def fill_class(fill: float) -> tuple[float, float]:
    """The class of a fill level (fraction of the bin, 0-1)."""
    if fill >= 1.0 - FULL_TOL:
        return CLASSES[-1]
    k = min(max(bisect_right(EDGES, fill) - 1, 0), len(EDGES) - 2)
    return CLASSES[k]


def fill_rows(
    policy: str, param: str, seed: int, day: int, fills: Iterable[float]
) -> list[FillRow]:
    """The day's histogram rows of the fill levels of its emptyings, classes in order."""
    counts = Counter(fill_class(f) for f in fills)
    return [FillRow(policy, param, seed, day, lo, hi, counts[lo, hi]) for lo, hi in sorted(counts)]


def parse_fill_csv(text: str) -> list[FillRow]:
    """The rows of a ``fill_at_emptying.csv`` text (header :data:`FILL_COLUMNS`)."""
    return parse_rows(text, FillRow, "fill_at_emptying.csv")
