"""The study's headline figures: operating points and the RESULT line."""

from __future__ import annotations

import math
from dataclasses import fields

import pytest

from simulations.loop.kpis import deposited_l, km, overflow_l
from simulations.loop.kpis.comparison import compare, result_line
from simulations.loop.results import DAILY_COLUMNS, DayRow, csv_text, parse_daily_csv


def row(policy: str, param: str, seed: int, day: int, km_: float, over: float) -> DayRow:
    return DayRow(policy, param, seed, day, 1000.0, 0, over, 0, km_, 0, 0, 0, 0, 0, math.nan, 0)


def study() -> list[DayRow]:
    """Two seeds, days 0-1 warm-up, day 2 evaluated; 1000 l deposited per seed-day."""
    totals = {  # (policy, param): (km, overflow) on the evaluated day
        ("fixed", "1"): (100.0, 50.0),
        ("fixed", "2"): (60.0, 200.0),
        ("k-soonest", "10"): (70.0, 55.0),
        ("k-soonest", "20"): (90.0, 40.0),
        ("platform", "0.3"): (56.0, 58.0),
        ("platform", "0.1"): (65.0, 45.0),
    }
    out = []
    for (p, q), (k, o) in totals.items():
        for seed in (1, 2):
            out += [row(p, q, seed, d, 999.0, 999.0) for d in (0, 1)]
            out.append(row(p, q, seed, 2, k, o))
    return out


def test_totals_skip_warm_up_and_average_seeds() -> None:
    """KPIs sum the evaluated days and average over seeds."""
    rows = study()
    assert km(rows, after=2)[("fixed", "1")] == 100.0
    assert overflow_l(rows, after=2)[("platform", "0.1")] == 45.0
    assert deposited_l(rows, after=0)[("fixed", "2")] == 3000.0


def test_operating_points_and_figures() -> None:
    """Budget = fixed k=1 overflow + 1 % of deposits; fewest km within it; figures as defined."""
    c = compare(study(), after=2)
    assert c.budget_l == pytest.approx(60.0)
    assert c.points["fixed"].param == "1"
    assert c.points["k-soonest"].param == "10"
    assert c.points["platform"].param == "0.3"
    assert c.figures["km_vs_ksoonest_pct"] == pytest.approx(100 * (56 / 70 - 1))
    assert c.figures["km_vs_fixed_pct"] == pytest.approx(100 * (56 / 100 - 1))
    # platform settings within k-soonest's 70 km: 0.3 (58) and 0.1 (45) -> 45 vs 55
    assert c.figures["overflow_vs_ksoonest_pct"] == pytest.approx(100 * (45 - 55) / 55)
    assert c.figures["overflow_vs_fixed_pct"] == pytest.approx(100 * (45 - 50) / 50)
    line = result_line(c, seeds=2, weeks=3)
    assert line.startswith("RESULT km_vs_ksoonest_pct=-20.0 overflow_vs_ksoonest_pct=-18.2 ")
    assert line.endswith("km_vs_fixed_pct=-44.0 overflow_vs_fixed_pct=-10.0 seeds=2 weeks=3")


def test_missing_operating_point_gives_nan() -> None:
    """A policy with no setting within the budget has no figure against it."""
    rows = [r for r in study() if r.policy != "k-soonest" or r.param == "20"]
    rows = [
        r if r.policy != "k-soonest" else row(r.policy, r.param, r.seed, r.day, 1, 500)
        for r in rows
    ]
    c = compare(rows, after=2)
    assert c.points["k-soonest"] is None
    assert math.isnan(c.figures["km_vs_ksoonest_pct"])
    assert "km_vs_ksoonest_pct=nan" in result_line(c, 2, 3)


def test_daily_csv_has_exactly_the_published_columns() -> None:
    """The header is the published column list and a NaN cell is empty."""
    assert tuple(f.name for f in fields(DayRow)) == DAILY_COLUMNS
    text = csv_text([row("fixed", "1", 1, 0, 1.5, 0.0)], DAILY_COLUMNS)
    header, line = text.splitlines()
    assert header == ",".join(DAILY_COLUMNS)
    assert line.split(",")[DAILY_COLUMNS.index("mean_fill_at_emptying")] == ""


def test_daily_csv_reads_back_the_rows() -> None:
    """Parsing the written CSV gives the rows back (NaN stays NaN)."""
    rows = study()[:4]
    back = parse_daily_csv(csv_text(rows, DAILY_COLUMNS))
    assert [r.km for r in back] == [r.km for r in rows]
    assert back[0].policy == "fixed" and back[0].seed == 1
    assert math.isnan(back[0].mean_fill_at_emptying)
    with pytest.raises(ValueError, match="columns"):
        parse_daily_csv("a,b\n1,2\n")
