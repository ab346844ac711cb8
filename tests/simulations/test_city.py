"""Tests for simulations.city: seeded inventory on the real network."""

from __future__ import annotations

from collections import Counter

import pytest

from core.domain import VehicleKind
from routing.network.graph import RoadNetwork
from simulations.city import build_city
from tests.cities import CENTRAL_BOX, COPENHAGEN, COPENHAGEN_DEMO


def district_of(lon: float, lat: float) -> str:
    """The Copenhagen profile's district of a point."""
    return COPENHAGEN.districts.at(lon, lat)


def test_city_is_reproducible_from_seed(copenhagen: RoadNetwork) -> None:
    """The same seed gives the same bins and fleet; another seed does not."""
    a, b, c = (build_city(copenhagen, COPENHAGEN, COPENHAGEN_DEMO, s) for s in (3, 3, 4))
    assert a.bins == b.bins and a.vehicles == b.vehicles
    assert a.bins != c.bins


def test_city_counts_and_fleet_mix(copenhagen: RoadNetwork) -> None:
    """1,000 bins, 1,500 vehicles: 60 trucks with 10-16 m3 capacity on 06-14, 140 cleaners."""
    city = build_city(copenhagen, COPENHAGEN, COPENHAGEN_DEMO, 1)
    assert len(city.bins) == 1000 and len({b.bin_id for b in city.bins}) == 1000
    kinds = Counter(v.kind for v in city.vehicles)
    assert len(city.vehicles) == 1500
    assert kinds[VehicleKind.WASTE_TRUCK] == 60 and kinds[VehicleKind.STREET_CLEANER] == 140
    for t in city.vehicles_of(VehicleKind.WASTE_TRUCK):
        assert 10_000 <= t.capacity_l <= 16_000 and t.capacity_kg > 0
        assert (t.shift_start_h, t.shift_end_h) == (6.0, 14.0)


def test_bins_on_central_streets_with_names_and_districts(copenhagen: RoadNetwork) -> None:
    """Bins lie in the central box, near the network, with street names and several districts."""
    city = build_city(copenhagen, COPENHAGEN, COPENHAGEN_DEMO, 1)
    assert all(CENTRAL_BOX.contains(b.lon, b.lat) for b in city.bins)
    _, dist = copenhagen.snap_many([b.lon for b in city.bins], [b.lat for b in city.bins])
    assert dist.max() < 150
    assert all(b.street for b in city.bins)
    assert {"Indre By", "Nørrebro", "Østerbro"} <= {b.district for b in city.bins}


def test_depots_inside_central_box_and_disposal_is_arc(copenhagen: RoadNetwork) -> None:
    """2-3 depots sit on the network in the central box; the disposal site is ARC Amager Bakke."""
    city = build_city(copenhagen, COPENHAGEN, COPENHAGEN_DEMO, 1)
    assert 2 <= len(city.depots) <= 3
    assert all(CENTRAL_BOX.contains(d.lon, d.lat) for d in city.depots)
    (arc,) = city.disposal_sites
    assert (arc.lat, arc.lon) == (55.6847, 12.6206)


@pytest.mark.parametrize(
    ("lon", "lat", "district"),
    [
        (12.580, 55.681, "Indre By"),
        (12.580, 55.705, "Østerbro"),
        (12.550, 55.695, "Nørrebro"),
        (12.530, 55.680, "Frederiksberg"),
        (12.555, 55.670, "Vesterbro"),
    ],
)
def test_district_rule(lon: float, lat: float, district: str) -> None:
    """The profile's district polygons, drawn from the former lon/lat sector rule, assign the
    expected district."""
    assert district_of(lon, lat) == district
