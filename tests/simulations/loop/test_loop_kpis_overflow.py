"""The overflow-floor, driver-hour, per-emptying and interval measures on hand-made rows."""

from __future__ import annotations

import math
from datetime import date

import pytest

from simulations.loop.config import MON_SAT
from simulations.loop.kpis import (
    WorkWeek,
    avoidable_overflow_l,
    drive_h,
    km_per_collection,
    off_day_overflow_l,
    route_h,
    seed_interval,
    t_interval,
    week_of_run,
    work_day_overflow_l,
)
from simulations.loop.results import DayRow

MONDAY = date(2024, 9, 2)
WEEK = WorkWeek(MONDAY, MON_SAT)


def row(
    policy: str, param: str, seed: int, day: int, over: float, km: float = 0.0, n: int = 0
) -> DayRow:
    return DayRow(policy, param, seed, day, 100.0, 0, over, 0, km, km / 20, km / 10, n, 0, 0, 0, 0)


def week_rows(policy: str, param: str, seed: int, worked: float, sunday: float) -> list[DayRow]:
    """Days 0-7 (Mon..Mon): ``worked`` litres on each working day, ``sunday`` on day 6."""
    return [row(policy, param, seed, d, sunday if d == 6 else worked) for d in range(8)]


def test_workweek_marks_sundays_off_in_a_mon_sat_week() -> None:
    """Day 6 from a Monday start is the only day off in a Mon-Sat week."""
    assert [d for d in range(14) if WEEK.off(d)] == [6, 13]
    assert WEEK.worked(0) and WEEK.worked(5) and not WEEK.worked(6)
    with pytest.raises(ValueError, match="weekdays"):
        WorkWeek(MONDAY, (7,))


def test_week_of_run_reads_run_json_and_tolerates_its_absence() -> None:
    """run.json's start and work_days give the calendar; without them there is none."""
    meta = {"start": "2024-09-02", "work_days": [0, 1, 2, 3, 4]}
    assert week_of_run(meta) == WorkWeek(MONDAY, (0, 1, 2, 3, 4))
    assert week_of_run({"warmup_days": 7}) is None


def test_overflow_splits_into_days_off_and_worked_days() -> None:
    """Off-day and worked-day overflow add up to the total and skip the warm-up."""
    rows = week_rows("fixed", "1", 1, 10.0, 50.0) + week_rows("fixed", "1", 2, 20.0, 70.0)
    off = off_day_overflow_l(rows, after=1, week=WEEK)
    work = work_day_overflow_l(rows, after=1, week=WEEK)
    assert off[("fixed", "1")] == pytest.approx(60.0)  # mean of 50 and 70
    assert work[("fixed", "1")] == pytest.approx(6 * 15.0)  # days 1-5 and 7
    assert work_day_overflow_l(rows, after=7, week=WEEK)[("fixed", "1")] == pytest.approx(15.0)
    assert off_day_overflow_l(rows, after=7, week=WEEK)[("fixed", "1")] == 0.0


def test_avoidable_overflow_is_overflow_above_fixed_k1() -> None:
    """Each setting's overflow minus fixed k = 1's; it needs the floor in the results."""
    rows = week_rows("fixed", "1", 1, 10.0, 50.0) + week_rows("platform", "0.5", 1, 12.0, 45.0)
    above = avoidable_overflow_l(rows, after=1)
    assert above[("fixed", "1")] == 0.0
    assert above[("platform", "0.5")] == pytest.approx(6 * 2.0 - 5.0)
    with pytest.raises(ValueError, match="floor"):
        avoidable_overflow_l(rows[8:], after=1)


def test_driver_hours_and_km_per_collection() -> None:
    """Hours sum over evaluated days; km per emptying is per seed, then averaged."""
    rows = [row("fixed", "1", 1, 0, 0, km=99, n=1), row("fixed", "1", 1, 1, 0, km=40, n=10)]
    rows += [row("fixed", "1", 2, 1, 0, km=60, n=30)]
    assert drive_h(rows, after=1)[("fixed", "1")] == pytest.approx((2 + 3) / 2)
    assert route_h(rows, after=1)[("fixed", "1")] == pytest.approx((4 + 6) / 2)
    assert km_per_collection(rows, after=1)[("fixed", "1")] == pytest.approx((4 + 2) / 2)
    assert math.isnan(km_per_collection([row("a", "1", 1, 0, 0, km=5)])[("a", "1")])


def test_t_interval_across_seeds() -> None:
    """mean ± t(0.975, n-1) sd / sqrt(n); one seed has no interval."""
    iv = t_interval([10.0, 12.0])
    assert iv.mean == 11.0 and iv.n == 2
    assert iv.half_width == pytest.approx(12.7062, rel=1e-4)  # sd / sqrt(n) = 1
    one = t_interval([5.0])
    assert one.mean == 5.0 and math.isnan(one.low) and math.isnan(one.high)
    rows = week_rows("fixed", "1", 1, 10.0, 50.0) + week_rows("fixed", "1", 2, 20.0, 70.0)
    iv = seed_interval(rows, "overflow_l", after=1)[("fixed", "1")]
    assert (iv.mean, iv.n) == (pytest.approx(150.0), 2)
    assert iv.low < 150.0 < iv.high
