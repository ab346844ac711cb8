"""The city a closed-loop run plays in: bins, their litter activity, fleet, sites, travel matrix.

Pure. The travel matrix is over the planning code's points (depots, disposal sites, then every
bin: :func:`routing.planning.day_problem.matrix_points`), so the day problems and the trucks'
execution read the same times and distances. The road network itself, when given, draws the
trucks' GPS along the roads they drove (:mod:`simulations.loop.gps`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from core.domain import Bin, Site, Vehicle
from routing.network.graph import RoadNetwork
from routing.network.matrix import TravelMatrix
from routing.planning.day_problem import matrix_points, waste_trucks
from simulations.city import City
from simulations.loop.road_paths import RoadPaths


@dataclass(frozen=True, eq=False)
class Scenario:
    """Everything a policy may know about the city, plus the bins' litter activity (which only
    the demand draws use)."""

    bins: tuple[Bin, ...]
    activity: tuple[float, ...]  # relative litter activity per bin (mean-1 weights after scaling)
    trucks: tuple[Vehicle, ...]
    depots: tuple[Site, ...]
    disposal_sites: tuple[Site, ...]
    matrix: TravelMatrix
    name: str = ""
    network: RoadNetwork | None = None  # the roads of ``matrix`` (None: no GPS, no adherence)

    def __post_init__(self) -> None:
        if not self.bins:
            raise ValueError("a scenario needs bins.")
        if len(self.activity) != len(self.bins) or min(self.activity) <= 0:
            raise ValueError("activity must give a positive weight per bin.")
        if not self.trucks or len(waste_trucks(self.trucks)) != len(self.trucks):
            raise ValueError("trucks must be waste trucks with a volume capacity, at least one.")
        if not self.disposal_sites:
            raise ValueError("a scenario needs a disposal site.")
        depot_ids = {d.site_id for d in self.depots}
        if any(t.depot_id not in depot_ids for t in self.trucks):
            raise ValueError("every truck must belong to one of the depots.")
        n_pts = len(self.depots) + len(self.disposal_sites) + len(self.bins)
        if self.matrix.size != n_pts:
            raise ValueError(f"matrix has {self.matrix.size} points, expected {n_pts}.")
        ids = [b.bin_id for b in self.bins]
        if len(set(ids)) != len(ids):
            raise ValueError("bin ids must be unique.")
        if self.network is not None and int(self.matrix.nodes.max()) >= self.network.n_nodes:
            raise ValueError("the matrix's snapped nodes are not on the given network.")

    @cached_property
    def bin_index(self) -> dict[str, int]:
        """Inventory position of each bin id."""
        return {b.bin_id: i for i, b in enumerate(self.bins)}

    @cached_property
    def points(self) -> tuple[np.ndarray, np.ndarray]:
        """Lon and lat of every matrix point (depots, disposal sites, bins)."""
        return matrix_points(self.bins, self.depots, self.disposal_sites)

    @cached_property
    def roads(self) -> RoadPaths:
        """Fastest road paths on :attr:`network`, kept across the days and runs using it."""
        if self.network is None:
            raise ValueError("this scenario has no road network.")
        return RoadPaths(self.network)

    @property
    def n_bins(self) -> int:
        return len(self.bins)

    @property
    def capacity_l(self) -> np.ndarray:
        return np.array([b.capacity_l for b in self.bins], dtype=np.float64)

    def bin_point(self, index: int) -> int:
        """Matrix point of the bin at inventory position ``index``."""
        return len(self.depots) + len(self.disposal_sites) + index

    def site_point(self, site_id: str) -> int:
        """Matrix point of a depot or disposal site."""
        for k, s in enumerate((*self.depots, *self.disposal_sites)):
            if s.site_id == site_id:
                return k
        raise KeyError(f"unknown site {site_id!r}")

    def disposal_points(self) -> tuple[int, ...]:
        return tuple(len(self.depots) + k for k in range(len(self.disposal_sites)))


def scenario_from_city(
    city: City, matrix: TravelMatrix, name: str = "", network: RoadNetwork | None = None
) -> Scenario:
    """The scenario of a simulated city (its waste trucks only) on ``matrix`` (computed on
    ``network``)."""
    return Scenario(
        bins=city.bins,
        activity=tuple(max(a, 1e-3) for a in city.bin_activity),
        trucks=tuple(waste_trucks(city.vehicles)),
        depots=city.depots,
        disposal_sites=city.disposal_sites,
        matrix=matrix,
        name=name,
        network=network,
    )
