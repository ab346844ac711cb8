"""Trucks driving a plan: shift end, full trucks, traffic."""

from __future__ import annotations

from simulations.loop.clock import Clock
from simulations.loop.config import TrafficConfig
from simulations.loop.execution import execute
from simulations.loop.planner import RoutePlan, TruckRoute
from simulations.loop.scenario import Scenario
from simulations.loop.traffic import day_traffic
from tests.simulations.loop.grid import TZ, grid_scenario, tiny_config

CLOCK = Clock(start=tiny_config().start, days=2, tz=TZ)


def drive(sc: Scenario, stops: tuple[str, ...], litres: float, traffic_sd: float = 0.0):  # noqa: ANN201
    traffic = day_traffic(1, 0, sc.matrix.size, sc.n_bins, TrafficConfig(traffic_sd, traffic_sd, 0))
    plan = RoutePlan(routes=(TruckRoute(sc.trucks[0].vehicle_id, stops),))
    return execute(sc, CLOCK, 0, plan, traffic, lambda b, t: litres, unload_s=900)


def test_all_stops_done_within_shift(grid: Scenario) -> None:
    """A short route is driven whole, starts at shift start and unloads before going home."""
    ids = tuple(b.bin_id for b in grid.bins[:5])
    exe = drive(grid, ids, 50.0)
    assert [s.bin_index for s in exe.services] == [0, 1, 2, 3, 4]
    truck = exe.trucks[0]
    assert truck.done == 5 and truck.not_done == () and truck.disposal_trips == 1
    assert exe.services[0].t_h >= CLOCK.at(0, 6.0)
    assert truck.route_h > truck.drive_h > 0 and truck.km > 0


def test_shift_end_leaves_the_rest_undone() -> None:
    """Stops that cannot be finished before the shift ends are reported as not done."""
    sc = grid_scenario(n_trucks=1, shift=(6.0, 6.5))
    ids = tuple(b.bin_id for b in sc.bins)
    exe = drive(sc, ids, 50.0)
    truck = exe.trucks[0]
    assert 0 < truck.done < len(ids)
    assert truck.not_done == ids[truck.done :]
    assert truck.route_h < 0.5 + 0.25  # home about on time (only the drive home may overrun)


def test_full_truck_unloads_and_comes_back(grid: Scenario) -> None:
    """When a bin's litres do not fit, the truck unloads first and still empties it."""
    ids = tuple(b.bin_id for b in grid.bins[:6])
    exe = drive(grid, ids, 1000.0)  # 2,500 l truck: two bins per trip
    truck = exe.trucks[0]
    assert truck.done == 6 and truck.disposal_trips == 3


def test_traffic_changes_time_not_distance(grid: Scenario) -> None:
    """Traffic noise changes drive time but not the km driven."""
    ids = tuple(b.bin_id for b in grid.bins[:8])
    calm, busy = drive(grid, ids, 20.0), drive(grid, ids, 20.0, traffic_sd=0.5)
    assert calm.trucks[0].km == busy.trucks[0].km
    assert calm.trucks[0].drive_h != busy.trucks[0].drive_h


def test_km_split_into_bins_disposal_and_depot_legs(grid: Scenario) -> None:
    """Every metre is a leg between bins, to or from a disposal site, or from or to the depot."""
    ids = tuple(b.bin_id for b in grid.bins[:6])
    truck = drive(grid, ids, 1000.0).trucks[0]  # three unloads: disposal legs mid-route
    assert truck.km_disposal > 0 and truck.km_depot > 0 and truck.km_bins > 0
    assert abs(truck.km_bins + truck.km_disposal + truck.km_depot - truck.km) < 1e-9
    light = drive(grid, ids, 1.0).trucks[0]  # one unload on the way home: more between bins
    assert light.km_bins > truck.km_bins and light.km_disposal < truck.km_disposal
