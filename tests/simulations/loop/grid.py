"""A tiny city on a synthetic grid network and tiny closed-loop settings, for the loop tests."""

from __future__ import annotations

import functools
import itertools
from typing import Any

import numpy as np

from core.domain import Bin, Site, Vehicle, VehicleKind
from routing.network.graph import RoadNetwork, build_network
from routing.network.matrix import travel_matrix
from routing.network.ways import OsmData, OsmWay
from routing.planning.day_problem import matrix_points
from simulations.loop.config import LoopConfig, SolverBudget
from simulations.loop.scenario import Scenario

TZ = "Europe/Copenhagen"
GRID = 5  # nodes per side
SPACING = (0.004, 0.0025)  # degrees lon, lat: about 250 m x 280 m


def grid_coords() -> tuple[list[int], list[float], list[float]]:
    """OSM ids, lon and lat of the grid's nodes, row by row from the south-west corner."""
    ids, lon, lat = [], [], []
    for r, c in itertools.product(range(GRID), range(GRID)):
        ids.append(r * GRID + c + 1)
        lon.append(12.55 + SPACING[0] * c)
        lat.append(55.68 + SPACING[1] * r)
    return ids, lon, lat


@functools.cache
def grid_network() -> RoadNetwork:
    """A two-way 5 x 5 street grid (rows residential, columns tertiary)."""
    ids, lon, lat = grid_coords()
    ways = [
        OsmWay(100 + r, tuple(r * GRID + c + 1 for c in range(GRID)), "residential")
        for r in range(GRID)
    ] + [
        OsmWay(200 + c, tuple(r * GRID + c + 1 for r in range(GRID)), "tertiary")
        for c in range(GRID)
    ]
    return build_network(
        OsmData(np.array(ids), np.array(lon), np.array(lat), tuple(ways), "grid"), max_gap_m=0
    )


def grid_scenario(
    n_bins: int = 24, n_trucks: int = 2, shift: tuple[float, float] = (6.0, 14.0)
) -> Scenario:
    """``n_bins`` bins at the nodes of a two-way 5 x 5 street grid, a depot and a disposal site
    at opposite corners, ``n_trucks`` trucks of 2,500 l working ``shift`` (local hours)."""
    net = grid_network()
    _, lon, lat = grid_coords()
    rng = np.random.default_rng(5)
    nodes = rng.choice(np.arange(1, GRID * GRID - 1), size=n_bins, replace=n_bins > GRID**2 - 2)
    bins = tuple(
        Bin(
            bin_id=f"B{k:03d}",
            lon=lon[int(n)] + 1e-5 * k,
            lat=lat[int(n)],
            street="Gridvej",
            district="Grid",
            capacity_l=float(rng.choice([80.0, 110.0, 160.0])),
        )
        for k, n in enumerate(nodes)
    )
    depot = Site("DEPOT", "Depot", lon[0], lat[0])
    disposal = Site("DUMP", "Disposal", lon[-1], lat[-1])
    trucks = tuple(
        Vehicle(
            f"TRUCK-{k + 1}",
            VehicleKind.WASTE_TRUCK,
            "DEPOT",
            capacity_l=2500.0,
            capacity_kg=1200.0,
            shift_start_h=shift[0],
            shift_end_h=shift[1],
        )
        for k in range(n_trucks)
    )
    pts_lon, pts_lat = matrix_points(bins, [depot], [disposal])
    matrix = travel_matrix(net, pts_lon, pts_lat)
    activity = tuple(float(a) for a in rng.uniform(0.5, 1.5, size=n_bins))
    return Scenario(bins, activity, trucks, (depot,), (disposal,), matrix, "grid", net)


def tiny_config(days: int = 10, **kw: Any) -> LoopConfig:
    """A short run with a small solver budget."""
    budget = SolverBudget(max_iterations=150, max_no_improvement=75)
    return LoopConfig(tz=TZ, days=days, warmup_days=3, budget=budget, **kw)
