"""Bin alerts on hand-made readings, forecasts and plans with known answers: silent, stuck, jumps
(rise, unexplained drop, spike, explained emptying), low battery, full before the next visit."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from core.domain import Bin
from core.records import FillReading
from fleet.alerts.overflow import (
    next_unplanned_shift,
    next_visits,
    overflow_alerts,
    predicted_full_at,
)
from fleet.alerts.sensors import (
    battery_alert,
    jump_alerts,
    neighbour_rates,
    sensor_alerts,
    silent_alert,
    stuck_alert,
)
from fleet.alerts.types import Alert, AlertKind, AlertParams, PlannedVisit, SensorSeries
from forecasting.model import FillForecast, ForecastMethod
from forecasting.weekly_profile import WeeklyProfile
from tests.cities import COPENHAGEN_TZ

NOW = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)  # a Wednesday; 13:00 in Copenhagen
P = AlertParams()
BIN = Bin("b1", 12.56, 55.68, "Vej 1", "Indre By")


def readings(levels: list[float], step_h: float = 1.0, end: datetime = NOW) -> list[FillReading]:
    """Readings ``step_h`` apart, the last at ``end``."""
    n = len(levels)
    return [
        FillReading("b1", end - timedelta(hours=step_h * (n - 1 - k)), lv)
        for k, lv in enumerate(levels)
    ]


def S(rs: list[FillReading]) -> SensorSeries:
    return SensorSeries.from_readings(rs)


def forecast(
    bin_id: str,
    level_now: float | None,
    full_at: datetime | None,
    rate: float = 0.01,
    method: ForecastMethod = ForecastMethod.BIN_HISTORY,
    as_of: datetime = NOW,
) -> FillForecast:
    return FillForecast(
        bin_id,
        level_now,
        None if level_now is None else as_of,
        rate,
        rate / 2,
        rate * 2,
        0.8,
        full_at,
        full_at,
        full_at,
        10,
        2,
        method,
        WeeklyProfile.flat(),
        COPENHAGEN_TZ,
    )


# --- silent ---------------------------------------------------------------------------------


def test_silent_after_n_hours_with_the_last_reading_as_evidence() -> None:
    """6 h without a reading is fine; 7 h is an alert saying since when and how long."""
    assert silent_alert(BIN, NOW - timedelta(hours=6), NOW, P) is None
    a = silent_alert(BIN, NOW - timedelta(hours=7), NOW, P)
    assert a is not None and a.kind is AlertKind.SILENT
    assert a.evidence == {"last_reading_at": NOW - timedelta(hours=7), "hours_silent": 7.0}
    assert silent_alert(BIN, NOW - timedelta(hours=3), NOW, AlertParams(silent_after_h=2))


def test_a_sensor_that_never_reported_is_silent() -> None:
    a = silent_alert(BIN, None, NOW, P)
    assert a is not None and a.evidence == {"last_reading_at": None, "hours_silent": None}


# --- stuck ----------------------------------------------------------------------------------


def test_stuck_when_one_value_repeats_for_m_hours_while_neighbours_fill() -> None:
    """0.3 repeated for 30 h after a rising start, neighbours fill 1 %/h (0.3 expected)."""
    rs = readings([0.1, 0.2] + [0.3] * 31)
    a = stuck_alert(BIN, S(rs), 0.01, P)
    assert a is not None and a.kind is AlertKind.STUCK
    e = a.evidence
    assert e["value"] == 0.3 and e["since"] == NOW - timedelta(hours=30) == a.at
    assert e["hours"] == 30.0 and e["readings"] == 31 and e["expected_change"] == 0.3
    assert e["last_reading_at"] == NOW


def test_not_stuck_when_short_quiet_full_or_varying() -> None:
    """Too short a run, neighbours that barely fill, a full bin and noisy readings: no alert."""
    assert stuck_alert(BIN, S(readings([0.3] * 20)), 0.01, P) is None  # 19 h < 24 h
    assert stuck_alert(BIN, S(readings([0.3] * 31)), 0.001, P) is None  # 0.03 expected < 0.1
    assert stuck_alert(BIN, S(readings([1.0] * 31)), 0.01, P) is None  # full: cannot rise
    noisy = readings([0.3 + 0.01 * (k % 2) for k in range(31)])
    assert stuck_alert(BIN, S(noisy), 0.01, P) is None
    assert stuck_alert(BIN, S(readings([0.3] * 3, step_h=20)), 0.01, P) is None  # 3 readings < 4


def test_neighbour_rates_use_the_district_then_the_fleet() -> None:
    """A bin's neighbours: the other bins of its district with their own history (3+), else all
    other such bins, else the median of every forecast; its own rate never counts."""
    bins = [Bin(f"a{i}", 12.5, 55.6, "", "A") for i in range(4)]
    bins += [Bin("b0", 12.5, 55.6, "", "B"), Bin("c0", 12.5, 55.6, "", "C")]
    fc = {f"a{i}": forecast(f"a{i}", 0.1, None, rate=0.01 * (i + 1)) for i in range(4)}
    fc["b0"] = forecast("b0", 0.1, None, rate=0.5)
    fc["c0"] = forecast("c0", 0.1, None, rate=0.02, method=ForecastMethod.FLEET_PRIOR)
    rates = neighbour_rates(bins, fc)
    assert rates["a0"] == pytest.approx(0.03)  # a1..a3: 0.02, 0.03, 0.04
    assert rates["b0"] == pytest.approx(0.025)  # all but b0: 0.01..0.04
    assert rates["c0"] == pytest.approx(0.03)  # 0.01..0.04 and 0.5
    only_prior = {"c0": fc["c0"]}
    assert neighbour_rates(bins, only_prior)["a0"] == pytest.approx(0.02)
    assert neighbour_rates(bins, {})["a0"] == 0.0


# --- jumps ----------------------------------------------------------------------------------


def test_an_implausible_rise_carries_both_readings_and_the_limit() -> None:
    """+0.5 in 15 min is beyond 0.35 + 0.25/h x 0.25 h; +0.3 in an hour is litter."""
    rs = readings([0.1, 0.4, 0.9], step_h=0.25)
    (a,) = jump_alerts(BIN, S(rs), [], NOW, P)
    assert a.kind is AlertKind.JUMP and a.at == NOW
    assert a.evidence == {
        "direction": "rise",
        "from_level": 0.4,
        "from_at": NOW - timedelta(hours=0.25),
        "to_level": 0.9,
        "to_at": NOW,
        "max_plausible_rise": 0.412,
    }
    assert jump_alerts(BIN, S(readings([0.1, 0.4])), [], NOW, P) == []


def test_a_drop_without_a_recorded_emptying_is_flagged_unless_explained() -> None:
    """0.7 → 0.1 with no report: an alert naming the last emptying; a report within 2 h of the
    two readings explains it; a drop within the noise is nothing."""
    rs = readings([0.6, 0.7, 0.1])
    earlier = NOW - timedelta(days=1)
    (a,) = jump_alerts(BIN, S(rs), [earlier], NOW, P)
    assert a.evidence["direction"] == "drop" and a.evidence["last_emptying_at"] == earlier
    assert (a.evidence["from_level"], a.evidence["to_level"]) == (0.7, 0.1)
    assert jump_alerts(BIN, S(rs), [NOW - timedelta(minutes=30)], NOW, P) == []
    assert jump_alerts(BIN, S(rs), [NOW + timedelta(hours=1, minutes=30)], NOW, P) == []
    assert jump_alerts(BIN, S(rs), [NOW - timedelta(hours=3, minutes=30)], NOW, P)  # too early
    assert jump_alerts(BIN, S(readings([0.6, 0.7, 0.6])), [], NOW, P) == []


def test_a_spike_up_and_back_is_one_alert() -> None:
    rs = readings([0.2, 0.21, 0.95, 0.22, 0.23], step_h=0.25)
    (a,) = jump_alerts(BIN, S(rs), [], NOW, P)
    e = a.evidence
    assert e["direction"] == "spike" and (e["from_level"], e["to_level"]) == (0.21, 0.95)
    assert e["back_level"] == 0.22 and e["back_at"] == NOW - timedelta(hours=0.25)
    assert a.at == NOW - timedelta(hours=0.5)


def test_jumps_older_than_the_window_are_not_reported() -> None:
    rs = readings([0.1, 0.9] + [0.9 + 0.001 * k for k in range(30)])
    assert jump_alerts(BIN, S(rs), [], NOW, P) == []  # the rise ended 30 h ago
    assert len(jump_alerts(BIN, S(rs), [], NOW, AlertParams(jump_window_h=48))) == 1


# --- battery --------------------------------------------------------------------------------


def test_low_battery_from_the_newest_reading_that_reports_one() -> None:
    """The newest battery report counts (readings without one are skipped); none: no alert."""
    rs = readings([0.1, 0.2, 0.3])
    rs[0] = FillReading("b1", rs[0].observed_at, 0.1, battery=0.5)
    rs[1] = FillReading("b1", rs[1].observed_at, 0.2, battery=0.1)
    a = battery_alert(BIN, S(rs), P)
    assert a is not None and a.kind is AlertKind.LOW_BATTERY
    assert a.evidence == {"battery": 0.1, "observed_at": rs[1].observed_at, "threshold": 0.15}
    rs[2] = FillReading("b1", rs[2].observed_at, 0.3, battery=0.9)
    assert battery_alert(BIN, S(rs), P) is None
    assert battery_alert(BIN, S(readings([0.1, 0.2])), P) is None


def test_sensor_alerts_take_the_newer_of_the_stored_last_reading_and_the_window() -> None:
    """A bin silent 10 h, one that reads on time but sits on a low battery, and one never heard."""
    bins = [BIN, Bin("b2", 12.5, 55.6, "Vej 2", ""), Bin("b3", 12.5, 55.6, "Vej 3", "")]
    fresh = [FillReading("b2", NOW - timedelta(hours=1), 0.2, battery=0.05)]
    found = sensor_alerts(
        bins,
        {"b2": S(fresh)},
        {"b1": NOW - timedelta(hours=10), "b2": NOW - timedelta(hours=30), "b3": None},
        {},
        {},
        NOW,
        P,
    )
    kinds = sorted((a.bin_id, a.kind.value) for a in found)
    assert kinds == [("b1", "silent_sensor"), ("b2", "low_battery"), ("b3", "silent_sensor")]


# --- full before the next visit -------------------------------------------------------------


def test_predicted_full_at_is_the_last_reading_when_already_full() -> None:
    assert predicted_full_at(forecast("b1", 0.85, None)) == NOW
    soon = NOW + timedelta(hours=3)
    assert predicted_full_at(forecast("b1", 0.5, soon)) == soon
    assert predicted_full_at(forecast("b1", None, None)) is None and predicted_full_at(None) is None


def test_overflow_before_the_planned_visit_or_the_next_shift() -> None:
    """b1 is full at 15:00 but visited at 17:00 (alert, naming the plan's truck); b2 is full at
    15:00 and visited at 14:00 (fine); b3 is full tomorrow 03:00, in no plan, next shift 06:00
    local (alert); b4 is full after the next shift (fine); b5 has no readings (no alert here)."""
    bins = [Bin(f"b{i}", 12.5 + i / 100, 55.6, f"Vej {i}", "") for i in range(1, 6)]
    full = {
        "b1": NOW + timedelta(hours=3),
        "b2": NOW + timedelta(hours=3),
        "b3": datetime(2025, 3, 6, 2, tzinfo=UTC),
        "b4": datetime(2025, 3, 6, 6, tzinfo=UTC),
    }
    fc = {b: forecast(b, 0.5, t) for b, t in full.items()} | {"b5": forecast("b5", None, None)}
    visits = next_visits(
        [
            PlannedVisit("b1", 7, date(2025, 3, 5), "truck-b", NOW + timedelta(hours=5)),
            PlannedVisit("b1", 8, date(2025, 3, 6), "truck-a", NOW + timedelta(hours=20)),
            PlannedVisit("b2", 7, date(2025, 3, 5), "truck-a", NOW + timedelta(hours=2)),
        ]
    )
    assert visits["b1"].plan_id == 7
    shift = datetime(2025, 3, 6, 5, tzinfo=UTC)  # 06:00 in Copenhagen
    found = overflow_alerts(bins, fc, visits, shift)
    assert [a.bin_id for a in found] == ["b1", "b3"]
    b1, b3 = found
    assert b1.kind is AlertKind.OVERFLOW and b1.at == full["b1"]
    assert b1.evidence == {
        "predicted_full_at": full["b1"],
        "level_now": 0.5,
        "as_of": NOW,
        "threshold": 0.8,
        "visit_at": NOW + timedelta(hours=5),
        "planned": True,
        "plan_id": 7,
        "vehicle_id": "truck-b",
    }
    assert b3.evidence["planned"] is False and b3.evidence["visit_at"] == shift
    assert "plan_id" not in b3.evidence


def test_a_bin_already_full_alerts_even_when_visited_later_today() -> None:
    bins = [BIN]
    visit = {"b1": PlannedVisit("b1", 7, date(2025, 3, 5), "t", NOW + timedelta(hours=1))}
    (a,) = overflow_alerts(bins, {"b1": forecast("b1", 0.9, None)}, visit, NOW)
    assert a.evidence["predicted_full_at"] == NOW


def test_next_unplanned_shift_skips_planned_and_rest_days() -> None:
    """13:00 local on Wednesday 5 March: today's 06:00 is past; Thursday is planned; Friday
    06:00 local (05:00 UTC) is next; with Friday a rest day, Saturday."""
    tz = COPENHAGEN_TZ
    planned = {date(2025, 3, 6)}
    assert next_unplanned_shift(NOW, tz, 6.0, (), range(7)) == datetime(2025, 3, 6, 5, tzinfo=UTC)
    assert next_unplanned_shift(NOW, tz, 6.0, planned, range(7)) == datetime(
        2025, 3, 7, 5, tzinfo=UTC
    )
    assert next_unplanned_shift(NOW, tz, 6.0, planned, (0, 1, 2, 3, 5)) == datetime(
        2025, 3, 8, 5, tzinfo=UTC
    )
    early = datetime(2025, 3, 5, 4, tzinfo=UTC)  # 05:00 local: today's shift is still ahead
    assert next_unplanned_shift(early, tz, 6.0, (), range(7)) == datetime(2025, 3, 5, 5, tzinfo=UTC)


def test_alerts_sort_most_urgent_kind_first() -> None:
    def alert(kind: AlertKind, h: int) -> Alert:
        return Alert(kind, "b", "", 0.0, 0.0, NOW + timedelta(hours=h), {})

    found = [
        alert(AlertKind.LOW_BATTERY, 0),
        alert(AlertKind.OVERFLOW, 5),
        alert(AlertKind.SILENT, 1),
    ]
    assert [a.kind for a in sorted(found, key=Alert.sort_key)] == [
        AlertKind.OVERFLOW,
        AlertKind.SILENT,
        AlertKind.LOW_BATTERY,
    ]


def test_params_are_validated() -> None:
    for bad in ({"silent_after_h": 0}, {"stuck_min_readings": 1}, {"working_days": ()}):
        with pytest.raises(ValueError):
            AlertParams(**bad)
