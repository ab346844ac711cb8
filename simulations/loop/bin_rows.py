"""Where overflow happens: the bins' places (``bins.csv``) and each bin's overflow per run
(``overflow_bins.csv``).

``overflow_bins.csv`` has one row per (policy, setting, seed, bin) with the litres that did not
fit and the bin-hours spent overflowing over the evaluated days (from local midnight ending the
warm-up to the end of the run); 1,000 bins x 10 settings x 3 seeds is 30,000 rows for
Copenhagen. Every bin is listed, overflowing or not, so a map can show both.

Pure; :func:`~simulations.loop.tidy.csv_text` writes the rows and the parsers read them back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.domain import Bin
from simulations.loop.tidy import columns_of, parse_rows
from simulations.loop.truth import Ledger


@dataclass(frozen=True, slots=True)
class BinPlace:
    """A bin of the inventory: id, place (WGS84) and capacity."""

    bin_id: str
    lon: float
    lat: float
    capacity_l: float


@dataclass(frozen=True, slots=True)
class BinOverflowRow:
    """One bin's overflow in one run, over the evaluated days."""

    policy: str
    param: str
    seed: int
    bin_id: str
    overflow_l: float
    overflow_bin_h: float


PLACE_COLUMNS = columns_of(BinPlace)
BIN_OVERFLOW_COLUMNS = columns_of(BinOverflowRow)


def bin_places(bins: Sequence[Bin]) -> list[BinPlace]:
    """The places of ``bins``, inventory order."""
    return [BinPlace(b.bin_id, b.lon, b.lat, b.capacity_l) for b in bins]


def bin_overflow_rows(
    policy: str, param: str, seed: int, bins: Sequence[Bin], start: Ledger, end: Ledger
) -> list[BinOverflowRow]:
    """Each bin's overflow between the ledgers ``start`` and ``end``, inventory order."""
    litres = end.overflow_l - start.overflow_l
    hours = end.overflow_h - start.overflow_h
    return [
        BinOverflowRow(policy, param, seed, b.bin_id, float(litres[i]), float(hours[i]))
        for i, b in enumerate(bins)
    ]


def parse_places_csv(text: str) -> list[BinPlace]:
    """The rows of a ``bins.csv`` text (header :data:`PLACE_COLUMNS`)."""
    return parse_rows(text, BinPlace, "bins.csv")


def parse_bin_overflow_csv(text: str) -> list[BinOverflowRow]:
    """The rows of an ``overflow_bins.csv`` text (header :data:`BIN_OVERFLOW_COLUMNS`)."""
    return parse_rows(text, BinOverflowRow, "overflow_bins.csv")
