"""Trip and stop detection on synthetic GPS traces with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from core.geo import haversine_m
from fleet.trips import TripParams, analyse


def _area(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return np.where(lon > 12.57, "east", "west")


def _drive(t0: float, lon0: float, n: int, dlon: float) -> tuple[list, list, list, list]:
    t = [t0 + 5 * k for k in range(n)]
    lon = [lon0 + dlon * k for k in range(n)]
    return t, lon, [55.69] * n, [36.0] * n


def test_drive_stop_drive_gives_two_trips_and_one_stop():
    """Moving, 5 minutes still, moving again: 2 trips, 1 stop of 5 min, km of the moving legs."""
    t1, x1, y1, v1 = _drive(0, 12.56, 60, 0.0001)  # 5 min east
    ts = [t1[-1] + 5 * (k + 1) for k in range(60)]  # 5 min at a standstill with jitter
    rng = np.random.default_rng(0)
    xs = list(x1[-1] + rng.normal(0, 0.00003, 60))
    t2, x2, y2, v2 = _drive(ts[-1] + 5, xs[-1], 60, 0.0001)
    day = analyse(t1 + ts + t2, x1 + xs + x2, y1 + [55.69] * 60 + y2, v1 + [0.5] * 60 + v2, _area)
    assert len(day.stops) == 1 and len(day.trips) == 2
    assert day.stops[0].duration_s == pytest.approx(295, abs=10)
    expected = float(haversine_m(12.56, 55.69, 12.56 + 0.0059, 55.69)) * 2
    assert day.distance_m == pytest.approx(expected, rel=0.05)


def test_multipath_spike_is_dropped_and_adds_no_distance():
    """A single fix 500 m off the road is an outlier, not a 1 km detour."""
    t, x, y, v = _drive(0, 12.56, 40, 0.0001)
    clean = analyse(t, x, y, v, _area)
    y_spiky = list(y)
    y_spiky[20] += 0.0045
    spiky = analyse(t, x, y_spiky, v, _area)
    assert spiky.dropped_outliers == 1
    assert spiky.distance_m == pytest.approx(clean.distance_m, rel=0.06)


def test_gap_ends_a_trip_and_time_per_area_sums():
    """A 20-minute silence splits trips; time per area covers only connected intervals."""
    t1, x1, y1, v1 = _drive(0, 12.565, 20, 0.0002)
    t2, x2, y2, v2 = _drive(t1[-1] + 1200, x1[-1], 20, 0.0002)
    day = analyse(t1 + t2, x1 + x2, y1 + y2, v1 + v2, _area)
    assert len(day.trips) == 2
    assert sum(day.seconds_by_area.values()) == pytest.approx(2 * 19 * 5)
    assert set(day.seconds_by_area) == {"east", "west"}


def test_empty_trace_and_bad_params():
    """No fixes → an empty day; nonsense thresholds are refused."""
    assert analyse([], [], [], [], _area).distance_m == 0.0
    with pytest.raises(ValueError):
        TripParams(min_stop_s=0)
