"""Daily fleet aggregates on hand-made traces with known answers: km, driving, idling, in-service
and parked time, district and hour splits, cleaners' service, shifts and CO2."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from shapely.geometry import box

from core.districts import Districts
from core.domain import Vehicle, VehicleKind
from core.geo import EARTH_RADIUS_M
from core.tracking import Traces
from fleet.aggregate_types import AggregateParams, DayAggregates, Places, waste_places
from fleet.aggregates import aggregate_day, day_window
from fleet.privacy import pseudonym
from tests.cities import COPENHAGEN_TZ

KEY = "test-key"
DAY = date(2024, 3, 18)  # a Monday, UTC+1 in Copenhagen
LON = 12.55
STEP = 100.0 / (EARTH_RADIUS_M * np.pi / 180)  # 100 m north, in degrees of latitude
# South below 55.70, North above (a point on the border goes to South, first in layer order)
DISTRICTS = Districts(
    ("South", "North"), (box(12.4, 55.6, 12.7, 55.70), box(12.4, 55.70, 12.7, 55.8))
)
TRUCK = Vehicle("truck-1", VehicleKind.WASTE_TRUCK, "depot", co2_g_per_km=1000.0)
SWEEPER = Vehicle("sweeper-1", VehicleKind.STREET_CLEANER, "depot", shift_start_h=6, shift_end_h=14)


def at(hh: int, mm: int = 0, ss: int = 0, tz: str = COPENHAGEN_TZ) -> float:
    """Epoch seconds of a local time of DAY."""
    return datetime(DAY.year, DAY.month, DAY.day, hh, mm, ss, tzinfo=ZoneInfo(tz)).timestamp()


class Track:
    """Fixes every 10 s: moving legs 100 m north per fix, and standstills in place."""

    def __init__(self, t0: float, lat: float = 55.65, lon: float = LON) -> None:
        self.t, self.lon, self.lat = t0, lon, lat
        self.rows: list[tuple[float, float, float, float]] = []

    def move(self, seconds: int, kmh: float = 36.0) -> Track:
        for _ in range(seconds // 10):
            self.rows.append((self.t, self.lon, self.lat, kmh))
            self.t += 10
            self.lat += STEP
        return self

    def stand(self, seconds: int) -> Track:
        for _ in range(seconds // 10):
            self.rows.append((self.t, self.lon, self.lat, 0.0))
            self.t += 10
        return self

    def end(self) -> Track:
        self.rows.append((self.t, self.lon, self.lat, 0.0))
        return self


def traces(tracks: dict[str, Track]) -> Traces:
    ids = tuple(tracks)
    rows = [(i, *r) for i, vid in enumerate(ids) for r in tracks[vid].rows]
    a = np.array(rows, dtype=np.float64).reshape(-1, 5)
    return Traces(ids, a[:, 0].astype(np.int32), a[:, 1], a[:, 2], a[:, 3], a[:, 4])


def run(
    tracks: dict[str, Track],
    vehicles: Sequence[Vehicle] = (TRUCK,),
    places: Places | None = None,
    tz: str = COPENHAGEN_TZ,
) -> DayAggregates:
    return aggregate_day(
        DAY,
        traces(tracks),
        vehicles,
        tz=tz,
        districts=DISTRICTS,
        places=places or Places(),
        key=KEY,
    )


def one(agg: DayAggregates, vid: str = "truck-1"):  # type: ignore[no-untyped-def]
    return next(v for v in agg.vehicles if v.pseudonym == pseudonym(KEY, vid))


def test_driving_service_idling_and_parked_have_known_answers() -> None:
    """Drive 10 min, 2 min at a bin, drive, 1 min standstill, drive, 20 min stop: 7.2 km,
    720 s driving, 120 s in service, 60 s idling, 1200 s parked; CO2 from the own factor."""
    tr = Track(at(8)).move(600)
    bin_at = (tr.lon, tr.lat)
    tr.stand(120).move(60).stand(60).move(60).stand(1200).end()
    agg = run({"truck-1": tr}, places=waste_places([bin_at], [], []))
    u = one(agg).usage
    assert u.km == pytest.approx(7.2, rel=1e-6)
    assert (u.driving_s, u.service_s, u.idling_s, u.parked_s) == (720, 120, 60, 1200)
    assert u.co2_kg == pytest.approx(7.2)  # 1000 g/km
    assert one(agg).fixes == len(tr.rows)


def test_a_stop_at_a_depot_is_parked_and_gaps_are_untracked() -> None:
    """Five minutes standing at a depot is parked, not idling; a 20-minute gap counts nothing."""
    tr = Track(at(9))
    depot = (tr.lon, tr.lat)
    tr.stand(300).move(60)
    tr.t += 1200  # tracker off
    tr.move(60).end()
    u = one(run({"truck-1": tr}, places=waste_places([], [], [depot]))).usage
    assert (u.parked_s, u.idling_s, u.driving_s) == (300, 0, 110)


def test_time_is_split_across_a_district_boundary() -> None:
    """An interval counts for the district of its first fix: 12 fixes south of 55.70, 17 north."""
    start = 55.69
    tr = Track(at(10), lat=start).move(290).end()
    cells = run({"truck-1": tr}).cells
    by = {c.district: c.usage for c in cells}
    south = int(np.floor((55.70 - start) / STEP)) + 1  # fixes (and intervals) south
    assert south == 12
    assert by["South"].driving_s == 10 * south
    assert by["North"].driving_s == 290 - 10 * south
    assert by["South"].km == pytest.approx(0.1 * south)
    assert sum(c.usage.km for c in cells) == pytest.approx(2.9)


def test_time_is_split_exactly_at_a_local_hour_boundary() -> None:
    """09:59:05 to 10:01:05 moving: 55 s and 550 m in hour 9, 65 s and 650 m in hour 10."""
    tr = Track(at(9, 59, 5)).move(120).end()
    by = {c.hour: c.usage for c in run({"truck-1": tr}).cells}
    assert (by[9].driving_s, by[10].driving_s) == (55, 65)
    assert (by[9].km, by[10].km) == (pytest.approx(0.55), pytest.approx(0.65))


def test_hours_are_local_to_the_given_zone() -> None:
    """The same fixes fall in another local hour in another zone (no zone is built in)."""
    tr = Track(at(9, 10)).move(60).end()
    cph = {c.hour for c in run({"truck-1": tr}).cells}
    chicago = {c.hour for c in run({"truck-1": tr}, tz="America/Chicago").cells}
    assert cph == {9} and chicago == {3}


def test_only_the_days_own_time_counts() -> None:
    """Fixes from 23:59 to 00:01 the next day count only up to midnight."""
    tr = Track(at(23, 59)).move(120).end()
    agg = run({"truck-1": tr})
    assert one(agg).usage.driving_s == 60
    assert {c.hour for c in agg.cells} == {23}
    lo, hi = day_window(DAY, COPENHAGEN_TZ)
    assert (hi - lo) == timedelta(hours=24) and lo.hour == 0


def test_street_cleaners_serve_while_cleaning_inside_a_district() -> None:
    """A sweeper at 10 km/h in a district cleans (in service); at 40 km/h, or outside every
    district at 10 km/h, it drives."""
    inside = Track(at(7)).move(300, kmh=10).move(200, kmh=40).end()
    outside = Track(at(7), lon=13.5).move(100, kmh=10).end()
    agg = run(
        {"sweeper-1": inside, "sweeper-2": outside},
        vehicles=[SWEEPER, Vehicle("sweeper-2", VehicleKind.STREET_CLEANER, "depot")],
    )
    u1, u2 = one(agg, "sweeper-1").usage, one(agg, "sweeper-2").usage
    assert (u1.service_s, u1.driving_s) == (300, 200)
    assert u1.km == pytest.approx(5.0)  # cleaning distance counts too
    assert (u2.service_s, u2.driving_s) == (0, 100)
    south = [c for c in agg.cells if c.district == "South" and c.kind == "streetCleaning"]
    assert sum(c.usage.service_s for c in south) == 300


def test_utilisation_counts_use_within_the_shift_and_unused_vehicles_get_a_row() -> None:
    """Driving 13:00-15:00 with a 06-14 shift: 1 h of 8 h in the shift; the sweeper with no GPS
    has a row with no use and its shift."""
    tr = Track(at(13)).move(7200).end()
    agg = run({"truck-1": tr}, vehicles=[TRUCK, SWEEPER])
    truck, sweeper = one(agg), one(agg, "sweeper-1")
    assert truck.usage.in_use_s == 7200 and truck.in_shift_use_s == 3600
    assert truck.shift_s == 8 * 3600 and truck.utilisation == pytest.approx(0.125)
    assert sweeper.fixes == 0 and sweeper.usage.in_use_s == 0 and sweeper.utilisation == 0
    assert all(c.pseudonym != pseudonym(KEY, "sweeper-1") for c in agg.cells)


def test_a_night_shift_wraps_past_midnight() -> None:
    """A 22-30 h shift (22:00 to 06:00) counts use at 02:00 as within the shift."""
    night = Vehicle("truck-1", VehicleKind.WASTE_TRUCK, "depot", shift_start_h=22, shift_end_h=30)
    tr = Track(at(2)).move(600).end()
    v = one(run({"truck-1": tr}, vehicles=[night]))
    assert v.in_shift_use_s == 600 and v.shift_s == 8 * 3600


def test_vehicles_appear_under_pseudonyms_only() -> None:
    """No row carries a vehicle id."""
    agg = run({"truck-1": Track(at(8)).move(60).end()})
    names = {v.pseudonym for v in agg.vehicles} | {c.pseudonym for c in agg.cells}
    assert names == {pseudonym(KEY, "truck-1")}


def test_params_are_validated() -> None:
    """Nonsense thresholds are refused with a message."""
    with pytest.raises(ValueError, match="cleaning_max_kmh"):
        AggregateParams(cleaning_max_kmh=1.0)
    with pytest.raises(ValueError, match="max_gap_s"):
        AggregateParams(max_gap_s=7200)
