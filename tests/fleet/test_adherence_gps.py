"""The GPS side of route adherence: traces, dwell detection, the planned path."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from core.records import GpsFix
from fleet.adherence_gps import (
    GpsTrace,
    detect_dwells,
    drop_outliers,
    route_line,
    traces_from_columns,
    traces_from_fixes,
)
from fleet.trips import TripParams, analyse
from tests.fleet.test_adherence import STREET, T0, Drive, at, route


def test_a_trace_is_sorted_by_time_and_cut_at_a_time():
    """Fixes given out of order are sorted; until() keeps the fixes at or before a time."""
    tr = GpsTrace(
        "t", np.array([10.0, 0.0, 5.0]), np.array([3.0, 1.0, 2.0]), np.zeros(3), np.zeros(3)
    )
    assert tr.t_s.tolist() == [0.0, 5.0, 10.0] and tr.lon.tolist() == [1.0, 2.0, 3.0]
    assert len(tr.until(5.0)) == 2 and len(tr.until(-1.0)) == 0


def test_traces_from_columns_and_from_fixes_group_by_vehicle():
    """Aligned columns and wire records both give one trace per vehicle with its own fixes."""
    cols = traces_from_columns(
        ["a", "b", "c"],
        np.array([1, 0, 1]),
        [0.0, 1.0, 2.0],
        [10.0, 11.0, 12.0],
        [0.0] * 3,
        [0.0] * 3,
    )
    assert set(cols) == {"a", "b"} and cols["b"].lon.tolist() == [10.0, 12.0]
    fixes = [
        GpsFix("a", T0 + timedelta(seconds=5), 12.5, 55.6, 10.0, 0.0),
        GpsFix("a", T0, 12.4, 55.6, 0.0, 0.0),
        GpsFix("b", T0, 12.3, 55.6, 0.0, 0.0),
    ]
    by = traces_from_fixes(fixes)
    assert by["a"].lon.tolist() == [12.4, 12.5] and by["a"].t_s[0] == T0.timestamp()
    assert len(by["b"]) == 1


def test_a_dwell_is_a_still_run_long_enough():
    """One 30 s standstill gives one dwell at its place, 25 s from first to last still fix."""
    trace = Drive().to(200.0, 0.0).stand(30.0).to(400.0, 0.0).trace()
    dw = detect_dwells(trace, 3.0, 20.0, 600.0)
    assert len(dw) == 1 and dw.duration_s.tolist() == [25.0]
    assert (float(dw.lon[0]), float(dw.lat[0])) == at(200.0, 0.0)


def test_the_planned_path_falls_back_to_straight_legs_between_stops():
    """Without road geometry the path is the stops in order (depot, bins, disposal site)."""
    line = route_line(route())
    assert len(line) == len(STREET) + 2 and line[0] == at(0.0, 0.0)


_still_or_moving = st.lists(
    st.tuples(st.sampled_from([0.0, 0.0, 1.0, 20.0]), st.sampled_from([5.0, 5.0, 30.0, 700.0])),
    min_size=1,
    max_size=80,
)


@settings(max_examples=80, deadline=None)
@given(steps=_still_or_moving, seed=st.integers(0, 2**16))
def test_dwells_are_the_fleet_reports_stops(steps, seed):
    """With min_dwell_s as min_stop_s, dwells are exactly fleet.trips' stops (same outlier rule,
    same runs, same places), so "a stop" means one thing across the fleet analytics."""
    rng = np.random.default_rng(seed)
    speed = np.array([v for v, _ in steps])
    t = np.cumsum([dt for _, dt in steps])
    lon = 12.56 + np.cumsum(rng.normal(0, 2e-4, t.size))
    lat = 55.69 + np.cumsum(rng.normal(0, 1e-4, t.size))
    trace = GpsTrace("t", t, lon, lat, speed)
    p = TripParams(stop_speed_kmh=3.0, min_stop_s=20.0, max_gap_s=600.0, max_speed_kmh=130.0)
    stops = analyse(t, lon, lat, speed, lambda x, y: np.full(np.shape(x), "city"), p).stops
    dw = detect_dwells(drop_outliers(trace, 130.0), 3.0, 20.0, 600.0)
    assert [(s.start_s, s.end_s, s.lon, s.lat) for s in stops] == list(
        zip(dw.start_s.tolist(), dw.end_s.tolist(), dw.lon.tolist(), dw.lat.tolist(), strict=True)
    )
