"""Tests for simulations.vehicles_sim: GPS fixes of the fleet on the real network."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from routing.network.graph import RoadNetwork
from simulations.city import City, build_city
from simulations.vehicles_sim import GpsSimConfig, gps_batches
from tests.cities import COPENHAGEN, COPENHAGEN_BBOX, COPENHAGEN_DEMO, COPENHAGEN_TZ

START = datetime(2024, 5, 6, 8, 0, tzinfo=UTC)  # 10:00 in Copenhagen


@pytest.fixture(scope="module")
def city(copenhagen: RoadNetwork) -> City:
    """A small seeded city: 200 bins, 150 vehicles."""
    return build_city(
        copenhagen,
        COPENHAGEN,
        COPENHAGEN_DEMO,
        5,
        n_bins=200,
        n_vehicles=150,
        n_trucks=10,
        n_cleaners=20,
    )


def test_batches_in_time_order_and_counts(copenhagen: RoadNetwork, city: City) -> None:
    """One batch per 5 s step, one fix per on-shift vehicle, one timestamp per batch."""
    cfg = GpsSimConfig(respect_shifts=False)
    batches = list(
        gps_batches(copenhagen, city, START, timedelta(minutes=10), 1, cfg, tz=COPENHAGEN_TZ)
    )
    assert len(batches) == 121
    assert all(len(b) == 150 for b in batches)
    stamps = [b[0].observed_at for b in batches]
    assert stamps == sorted(stamps) and all(len({f.observed_at for f in b}) == 1 for b in batches)


def test_fixes_mostly_inside_city_with_sane_speed(copenhagen: RoadNetwork, city: City) -> None:
    """Nearly all fixes are in the city box; speeds and headings are in physical ranges."""
    fixes = [
        f
        for b in gps_batches(copenhagen, city, START, timedelta(minutes=10), 2, tz=COPENHAGEN_TZ)
        for f in b
    ]
    inside = np.mean([COPENHAGEN_BBOX.contains(f.lon, f.lat) for f in fixes])
    assert inside > 0.99
    speed = np.array([f.speed_kmh for f in fixes])
    assert speed.min() >= 0 and speed.max() < 150 and 10 < speed.mean() < 45
    assert all(0 <= f.heading_deg < 360 for f in fixes)


def test_fixes_stay_near_the_network(copenhagen: RoadNetwork, city: City) -> None:
    """Fixes are within GPS noise of the road graph except rare multipath outliers."""
    fixes = [
        f
        for b in gps_batches(copenhagen, city, START, timedelta(minutes=5), 3, tz=COPENHAGEN_TZ)
        for f in b
    ]
    _, dist = copenhagen.snap_many([f.lon for f in fixes], [f.lat for f in fixes])
    assert np.quantile(dist, 0.95) < 80


def test_seed_reproducible(copenhagen: RoadNetwork, city: City) -> None:
    """The same seed gives identical fixes."""
    a = next(iter(gps_batches(copenhagen, city, START, timedelta(minutes=1), 7, tz=COPENHAGEN_TZ)))
    b = next(iter(gps_batches(copenhagen, city, START, timedelta(minutes=1), 7, tz=COPENHAGEN_TZ)))
    assert a == b


def test_off_shift_vehicles_send_nothing(copenhagen: RoadNetwork, city: City) -> None:
    """At 03:00 local nobody is on shift, so batches are empty."""
    night = datetime(2024, 5, 6, 1, 0, tzinfo=UTC)
    assert all(
        not b
        for b in gps_batches(copenhagen, city, night, timedelta(minutes=2), 1, tz=COPENHAGEN_TZ)
    )


def test_vehicles_go_home_at_shift_end(copenhagen: RoadNetwork, city: City) -> None:
    """Trucks (shift ends 14:00 local) stop reporting within about an hour after shift end."""
    end = datetime(2024, 5, 6, 11, 55, tzinfo=UTC)  # 13:55 local
    cfg = GpsSimConfig(fix_interval_s=60)
    batches = gps_batches(copenhagen, city, end, timedelta(minutes=90), 4, cfg, tz=COPENHAGEN_TZ)
    seen = [{f.vehicle_id for f in b} for b in batches]
    assert any(v.startswith("TRUCK") for v in seen[0])
    assert not any(v.startswith("TRUCK") for v in seen[-1])


@pytest.mark.slow
def test_full_fleet_hour_has_every_fix(copenhagen: RoadNetwork) -> None:
    """1,500 vehicles x 1 h give a fix each at every step, here one a minute: 1,500 x 61 (the
    same count at 5 s, 1.08 M fixes, is timed by benchmarks/simulate.py)."""
    big = build_city(copenhagen, COPENHAGEN, COPENHAGEN_DEMO, 1)
    n = sum(
        len(b)
        for b in gps_batches(
            copenhagen,
            big,
            START,
            timedelta(hours=1),
            1,
            GpsSimConfig(fix_interval_s=60, respect_shifts=False),
            tz=COPENHAGEN_TZ,
        )
    )
    assert n == 1500 * 61
