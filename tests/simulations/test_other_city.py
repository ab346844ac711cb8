"""A made-up city (Prairieville, America/Chicago) end to end without a database: nothing in the
simulation, forecasting or planning depends on Copenhagen, and local times follow the city's zone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from core.city import CityProfile
from core.districts import OUTSIDE
from core.domain import VehicleKind
from core.settings import Settings
from fleet.report import fleet_report
from forecasting.forecast import ForecastParams, forecast_arrays
from routing.network.graph import RoadNetwork, build_network
from routing.network.matrix import travel_matrix
from routing.network.osm import load_osm
from routing.planning.day_problem import (
    DayConfig,
    build_day_problem,
    day_plan,
    local_midnight,
    matrix_points,
    overflow_risk,
)
from routing.planning.selection import select_bins
from routing.vrp.checker import check
from routing.vrp.engines.pyvrp_engine import solve_problem
from simulations.bins_sim import FillHistory, simulate_history
from simulations.city import City, DemoSetup, build_city
from simulations.day_scenario import DayScenario, parking_sites_on
from simulations.demo_files import load_demo
from simulations.vehicles_sim import gps_batches
from tests.cities import PRAIRIEVILLE_DIR

TZ = "America/Chicago"
DAY = date(2024, 5, 14)  # a Tuesday; Chicago is on CDT, UTC-5
CDT = timedelta(hours=-5)


@pytest.fixture(scope="module")
def profile() -> CityProfile:
    """Prairieville's profile, read through the settings as an entry point would."""
    return Settings(city=str(PRAIRIEVILLE_DIR), data_dir=PRAIRIEVILLE_DIR).city_profile()


@pytest.fixture(scope="module")
def net(profile: CityProfile) -> RoadNetwork:
    """The synthetic street grid of the profile's OSM file."""
    return build_network(load_osm(profile.osm_files))


@pytest.fixture(scope="module")
def demo() -> DemoSetup:
    """Prairieville's demo inventory file: two depots and a transfer station."""
    return load_demo(PRAIRIEVILLE_DIR / "demo")


@pytest.fixture(scope="module")
def city(net: RoadNetwork, profile: CityProfile, demo: DemoSetup) -> City:
    """40 bins, 3 trucks, a cleaner and 2 other vehicles, seeded."""
    return build_city(net, profile, demo, 3, n_bins=40, n_vehicles=6, n_trucks=3, n_cleaners=1)


@pytest.fixture(scope="module")
def history(city: City, profile: CityProfile) -> FillHistory:
    """Three days of 30-minute readings up to 06:00 local on the plan day."""
    start = local_midnight(DAY, profile.timezone) + timedelta(hours=6) - timedelta(days=3)
    return simulate_history(
        list(city.bins),
        start,
        timedelta(days=3),
        timedelta(minutes=30),
        seed=3,
        activity=city.bin_activity,
        tz=profile.timezone,
    )


def test_the_profile_is_not_copenhagen(profile: CityProfile) -> None:
    """The made-up profile has its own zone, box, centre and districts."""
    assert (profile.name, profile.timezone) == ("Prairieville", TZ)
    assert profile.bbox.contains(*profile.map_centre) and profile.map_centre[0] < 0
    assert profile.districts.distinct_names == ("Old Town", "North Side", "South Side")


def test_network_is_built_from_the_profile_osm_file(net: RoadNetwork) -> None:
    """The grid becomes a road network with named streets and one-way edges."""
    assert net.n_nodes == 133
    assert net.edge_oneway.any() and not net.edge_oneway.all()
    assert {"Main Street", "Dover Avenue"} <= set(net.node_street)


def test_city_uses_its_inventory_districts_and_co2(
    city: City, profile: CityProfile, demo: DemoSetup
) -> None:
    """Bins lie in the demo's box, in the profile's districts; sites come from the file; the
    fleet carries the profile's CO2 factors."""
    assert all(demo.placement.contains(b.lon, b.lat) for b in city.bins)
    districts = {b.district for b in city.bins}
    assert districts <= set(profile.districts.names) and len(districts) >= 2
    assert [d.site_id for d in city.depots] == ["PV-DEPOT-N", "PV-DEPOT-S"]
    assert [s.site_id for s in city.disposal_sites] == ["PV-TRANSFER"]
    trucks = city.vehicles_of(VehicleKind.WASTE_TRUCK)
    assert len(trucks) == 3 and {t.co2_g_per_km for t in trucks} == {1300.0}
    assert {v.co2_g_per_km for v in city.vehicles_of(VehicleKind.STREET_CLEANER)} == {700.0}


def test_collection_rounds_follow_local_hours(history: FillHistory) -> None:
    """Bins are emptied only in rounds hours 06-14 Chicago time, i.e. 11-19 UTC in May."""
    steps = np.flatnonzero(history.emptied.any(axis=1))
    assert steps.size > 0
    local = {history.times[k].astimezone(ZoneInfo(TZ)).hour for k in steps}
    assert local <= set(range(6, 14))
    assert {history.times[k].hour for k in steps} <= set(range(11, 19))


def test_shifts_follow_local_hours(net: RoadNetwork, city: City, profile: CityProfile) -> None:
    """At 08:00 UTC (03:00 in Chicago) nobody drives; at 15:00 UTC (10:00) the trucks do."""
    night = datetime(2024, 5, 14, 8, tzinfo=UTC)
    assert not any(gps_batches(net, city, night, timedelta(minutes=2), 1, tz=profile.timezone))
    morning = datetime(2024, 5, 14, 15, tzinfo=UTC)
    first = next(
        iter(gps_batches(net, city, morning, timedelta(minutes=1), 1, tz=profile.timezone))
    )
    trucks = {t.vehicle_id for t in city.vehicles_of(VehicleKind.WASTE_TRUCK)}
    assert {f.vehicle_id for f in first} >= trucks


def test_day_plan_runs_in_the_city_time_zone(
    net: RoadNetwork, city: City, profile: CityProfile, history: FillHistory
) -> None:
    """Forecast, selection and a solved, checked plan: the clock starts at Chicago midnight and
    the trucks leave at 06:00 local (11:00 UTC)."""
    steps = len(history.times)
    ids = np.tile(np.array(history.sensor_ids), steps)
    utc = np.repeat([t.timestamp() for t in history.times], len(city.bins))
    params = ForecastParams(profile.timezone)
    forecasts = forecast_arrays(list(city.bins), ids, utc, history.reading.ravel(), params)
    assert {f.tz for f in forecasts.values()} == {TZ}
    service_at = local_midnight(DAY, profile.timezone) + timedelta(hours=6)
    nxt = service_at + timedelta(days=1)
    selection = select_bins(list(city.bins), forecasts, service_at, nxt)
    lon, lat = matrix_points(city.bins, city.depots, city.disposal_sites)
    matrix = travel_matrix(net, lon, lat)
    streets = [net.street_name(int(n)) for n in matrix.nodes]
    problem = build_day_problem(
        DAY,
        city.bins,
        selection,
        city.vehicles,
        city.depots,
        city.disposal_sites,
        matrix,
        streets,
        DayConfig(profile.timezone),
    )
    assert problem.midnight.utcoffset() == CDT
    solution = solve_problem(problem.data, 5.0, seed=1, max_iterations=300)
    assert check(problem.data, solution) == []
    plan = day_plan(problem, solution, overflow_risk(list(city.bins), forecasts, nxt))
    assert plan.status == "accepted" and plan.totals.bins_emptied >= len(selection.required)
    starts = [r.stops[0].eta for r in plan.routes]
    assert starts and all(t.astimezone(ZoneInfo(TZ)).hour >= 6 for t in starts)
    assert all(t.utcoffset() == CDT for r in plan.routes for t in (s.eta for s in r.stops))
    assert min(t.astimezone(UTC).hour for t in starts) >= 11


def test_fleet_time_per_district(net: RoadNetwork, city: City, profile: CityProfile) -> None:
    """The fleet report's hours per area are the profile's districts (vectorised lookup)."""
    start = datetime(2024, 5, 14, 15, tzinfo=UTC)
    fixes = [
        f
        for b in gps_batches(net, city, start, timedelta(minutes=15), 2, tz=profile.timezone)
        for f in b
    ]
    ids = sorted({f.vehicle_id for f in fixes})
    index = {v: k for k, v in enumerate(ids)}
    report = fleet_report(
        ids,
        np.array([index[f.vehicle_id] for f in fixes]),
        np.array([(f.observed_at - start).total_seconds() for f in fixes]),
        np.array([f.lon for f in fixes]),
        np.array([f.lat for f in fixes]),
        np.array([f.speed_kmh for f in fixes]),
        city.vehicles,
        "test-key",
        profile.districts.assign,
    )
    assert set(report.hours_by_area) <= {*profile.districts.names, OUTSIDE}
    assert sum(report.hours_by_area.values()) > 0.5  # 6 vehicles x 15 min


def test_parking_sites_and_scenario_in_local_time(net: RoadNetwork, profile: CityProfile) -> None:
    """Parking sites take the profile's districts; the day's GPS hour starts at local time."""
    sites = parking_sites_on(net, 3, profile.districts)
    assert {s.site.district for s in sites} <= set(profile.districts.names)
    scenario = DayScenario(DAY, 3, 40, 6, 7.0, 1.0, 3.0, 30.0, 1.0, 15, 0.0, profile.timezone)
    assert scenario.gps_start == datetime(2024, 5, 14, 12, tzinfo=UTC)  # 07:00 CDT
