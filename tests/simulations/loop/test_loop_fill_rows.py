"""Fill at emptying as histogram rows, per-bin overflow rows, their measures and CSV round trips."""

from __future__ import annotations

import numpy as np
import pytest

from core.domain import Bin
from simulations.loop.bin_rows import (
    BIN_OVERFLOW_COLUMNS,
    PLACE_COLUMNS,
    BinOverflowRow,
    bin_overflow_rows,
    bin_places,
    parse_bin_overflow_csv,
    parse_places_csv,
)
from simulations.loop.fill_rows import (
    CLASSES,
    FILL_COLUMNS,
    FillRow,
    fill_class,
    fill_rows,
    parse_fill_csv,
)
from simulations.loop.kpis import fill_histogram, overflow_by_bin, share_below
from simulations.loop.tidy import csv_text
from simulations.loop.truth import Ledger


def test_fill_classes_are_5pct_wide_with_a_full_class() -> None:
    """Edges fall into the upper class; a full bin gets the [1, 1] class."""
    assert len(CLASSES) == 21
    assert fill_class(0.0) == (0.0, 0.05)
    assert fill_class(0.25) == (0.25, 0.3)
    assert fill_class(0.2499) == (0.2, 0.25)
    assert fill_class(0.999) == (0.95, 1.0)
    assert fill_class(1.0) == (1.0, 1.0)


def test_fill_rows_count_a_days_emptyings_per_class() -> None:
    """Only classes with emptyings get a row; counts add up to the emptyings."""
    rows = fill_rows("fixed", "1", 2, 5, [0.1, 0.12, 0.5, 1.0])
    assert [(r.fill_from, r.fill_to, r.emptyings) for r in rows] == [
        (0.1, 0.15, 2),
        (0.5, 0.55, 1),
        (1.0, 1.0, 1),
    ]
    assert fill_rows("fixed", "1", 2, 6, []) == []


def fills() -> list[FillRow]:
    """Seed 1: 3 of 4 under 25 %; seed 2: 1 of 4; day 0 (warm-up) all under."""
    return [
        *fill_rows("fixed", "1", 1, 0, [0.1] * 9),
        *fill_rows("fixed", "1", 1, 1, [0.1, 0.2, 0.24, 0.9]),
        *fill_rows("fixed", "1", 2, 1, [0.1, 0.3, 0.6, 1.0]),
    ]


def test_share_below_and_histogram_skip_warm_up_and_average_seeds() -> None:
    """Share under 25 % is per seed then averaged; histogram shares add up to 1."""
    assert share_below(fills(), after=1)[("fixed", "1")] == pytest.approx((0.75 + 0.25) / 2)
    assert share_below(fills(), after=0)[("fixed", "1")] == pytest.approx((12 / 13 + 0.25) / 2)
    hist = fill_histogram(fills(), after=1)[("fixed", "1")]
    assert list(hist) == list(CLASSES)
    assert sum(hist.values()) == pytest.approx(1.0)
    assert hist[(1.0, 1.0)] == pytest.approx(0.125)
    with pytest.raises(ValueError, match="edge"):
        share_below(fills(), level=0.33)


def test_fill_csv_round_trip() -> None:
    """fill_at_emptying.csv reads back the rows it was written from."""
    text = csv_text(fills(), FILL_COLUMNS)
    assert text.splitlines()[0] == "policy,param,seed,day,fill_from,fill_to,emptyings"
    assert parse_fill_csv(text) == fills()
    with pytest.raises(ValueError, match="fill_at_emptying.csv"):
        parse_fill_csv("policy,param\nfixed,1\n")


def bins() -> list[Bin]:
    """Three 110 l bins along a street."""
    return [Bin(f"B{k}", 12.5 + k / 100, 55.6, "Gade", "D", 110.0) for k in range(3)]


def ledger(over: list[float], hours: list[float]) -> Ledger:
    z = np.zeros(3)
    return Ledger(0.0, z, z, z, np.array(over), np.array(hours), z, np.zeros(3, dtype=np.int64))


def test_bin_overflow_rows_are_the_ledger_difference() -> None:
    """Each bin's overflow is the end ledger minus the start ledger, inventory order."""
    rows = bin_overflow_rows(
        "platform", "0.5", 1, bins(), ledger([1, 0, 2], [1, 0, 1]), ledger([4, 0, 2.5], [3, 0, 2])
    )
    assert [(r.bin_id, r.overflow_l, r.overflow_bin_h) for r in rows] == [
        ("B0", 3.0, 2.0),
        ("B1", 0.0, 0.0),
        ("B2", 0.5, 1.0),
    ]


def test_bin_csvs_round_trip_and_overflow_by_bin_averages_seeds() -> None:
    """bins.csv and overflow_bins.csv read back; per-bin overflow is the mean over seeds."""
    places = bin_places(bins())
    assert parse_places_csv(csv_text(places, PLACE_COLUMNS)) == places
    rows = [
        BinOverflowRow("platform", "0.5", 1, "B0", 4.0, 2.0),
        BinOverflowRow("platform", "0.5", 2, "B0", 2.0, 1.0),
        BinOverflowRow("platform", "0.5", 2, "B1", 1.5, 0.5),
        BinOverflowRow("fixed", "1", 1, "B0", 9.0, 9.0),
    ]
    assert parse_bin_overflow_csv(csv_text(rows, BIN_OVERFLOW_COLUMNS)) == rows
    assert overflow_by_bin(rows, ("platform", "0.5")) == {"B0": 3.0, "B1": 0.75}
