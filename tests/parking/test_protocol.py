"""The Birmingham protocol: half-hour slots, the test window, the seasonal naive, the MAE."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from parking.protocol import (
    mae_per_site,
    seasonal_naive,
    slot_average,
    to_table,
    window_rows,
)
from parking.table import build_table, to_minutes

LONDON = "Europe/London"


def _m(text: str) -> int:
    return to_minutes(datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(LONDON)))


def test_readings_round_to_the_nearest_half_hour_and_average():
    """07:59 and 08:10 share the 08:00 slot (averaged); 08:20 goes to 08:30; full is rate 1."""
    t = np.array([_m("2016-12-05 07:59"), _m("2016-12-05 08:10"), _m("2016-12-05 08:20")])
    table = build_table(("a",), ["a"] * 3, t, np.array([60, 40, 0]), np.array([100, 100, 100]))
    s = slot_average(table)
    assert s.t_min.tolist() == [_m("2016-12-05 08:00"), _m("2016-12-05 08:30")]
    assert s.rate.tolist() == pytest.approx([0.5, 1.0])
    back = to_table(s, np.array([100]))
    assert back.free.tolist() == [50, 0]


def test_window_is_the_next_seven_days_between_08_00_and_16_30():
    """Slots after the origin's day, 08:00-16:30 local, up to the seventh day, are in the window."""
    times = [
        "2016-12-12 16:30",
        "2016-12-13 07:30",
        "2016-12-13 08:00",
        "2016-12-19 16:30",
        "2016-12-19 17:00",
        "2016-12-20 08:00",
    ]
    t = np.array([_m(x) for x in times])
    table = build_table(("a",), ["a"] * len(t), t, np.full(len(t), 10), np.full(len(t), 100))
    rows = window_rows(slot_average(table), _m("2016-12-12 16:30"), LONDON)
    assert rows.tolist() == [False, False, True, True, False, False]


def test_seasonal_naive_uses_last_week_then_earlier_weeks_then_the_mean():
    """The same slot a week earlier, else the latest earlier week with it, else the site's mean."""
    t = np.array([_m("2016-11-29 09:00"), _m("2016-12-06 09:00"), _m("2016-12-06 10:00")])
    table = build_table(("a",), ["a"] * 3, t, np.array([80, 40, 20]), np.full(3, 100))
    train = slot_average(table)
    q = np.array([_m("2016-12-13 09:00"), _m("2016-12-13 10:00"), _m("2016-12-13 11:00")])
    q2 = np.array([_m("2016-12-13 09:00") + 7 * 1440])
    got = seasonal_naive(train, np.zeros(3, np.int32), q)
    assert got.tolist() == pytest.approx([0.6, 0.8, np.mean([0.2, 0.6, 0.8])])
    assert seasonal_naive(train, np.zeros(1, np.int32), q2).tolist() == pytest.approx([0.6])


def test_mae_weights_every_car_park_the_same():
    """A car park with many slots counts as much as one with few."""
    site = np.array([0, 0, 0, 1])
    err = mae_per_site(np.array([0.1, 0.1, 0.1, 0.5]), np.zeros(4), site, np.array([0, 1]))
    assert err == pytest.approx(0.3)
