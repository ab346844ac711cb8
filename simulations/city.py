"""The simulated city inventory on the real road network: bins, depots, disposal sites, vehicles.

Pure and seeded. Stand-in for a city's open-data layers (bins, the municipal fleet), which are
not available offline. What the city *is* comes from its profile (:class:`core.city.CityProfile`:
districts, CO2 defaults); the fixed inventory the demo starts from (depots, disposal sites) and
the area where bins are generated come from the demo's files (:class:`DemoSetup`, read by
:mod:`simulations.demo_files`). Bins take the district of the profile's polygon they lie in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from core.city import CityProfile
from core.domain import Bin, BoundingBox, Site, Vehicle, VehicleKind
from core.geo import haversine_m
from routing.network.graph import RoadNetwork

# Relative bin density and litter activity by highway class (busier street, more bins/litter).
STREET_ACTIVITY: dict[str, float] = {
    "primary": 2.5,
    "primary_link": 1.0,
    "secondary": 2.2,
    "tertiary": 1.8,
    "tertiary_link": 0.8,
    "unclassified": 1.0,
    "residential": 1.0,
    "living_street": 1.6,
    "service": 0.25,
}
# Other municipal vehicles' shifts (local hours) and their shares.
OTHER_SHIFTS: tuple[tuple[float, float, float], ...] = (
    (6.0, 14.0, 0.25),
    (7.0, 15.0, 0.25),
    (8.0, 16.0, 0.2),
    (9.0, 17.0, 0.1),
    (7.0, 19.0, 0.1),
    (14.0, 22.0, 0.1),
)


# Other municipal vehicles' CO2 as multiples of the profile's default for "other" (electric,
# small, typical, van); with Copenhagen's 180 g/km: 0, 120, 180 and 250 g/km.
OTHER_CO2_MIX: tuple[float, ...] = (0.0, 120.0 / 180.0, 1.0, 250.0 / 180.0)


@dataclass(frozen=True)
class DemoSetup:
    """The demo's fixed inventory in one city and where it generates the rest; validated.

    ``placement`` bounds the streets that get bins and parking sites; streets nearer
    ``activity_centre`` (lon, lat) get more bins and more litter.
    """

    depots: tuple[Site, ...]
    disposal_sites: tuple[Site, ...]
    placement: BoundingBox
    activity_centre: tuple[float, float]

    def __post_init__(self) -> None:
        if not self.depots or not self.disposal_sites:
            raise ValueError("the demo needs at least one depot and one disposal site.")
        ids = [s.site_id for s in (*self.depots, *self.disposal_sites)]
        if len(set(ids)) != len(ids):
            raise ValueError("site ids must be unique.")
        if not self.placement.contains(*self.activity_centre):
            raise ValueError("the activity centre must lie in the placement box.")


@dataclass(frozen=True)
class City:
    """The inventory: bins (with a relative litter activity each), depots, disposal, vehicles."""

    bins: tuple[Bin, ...]
    bin_activity: tuple[float, ...]
    depots: tuple[Site, ...]
    disposal_sites: tuple[Site, ...]
    vehicles: tuple[Vehicle, ...]

    def __post_init__(self) -> None:
        if len(self.bin_activity) != len(self.bins):
            raise ValueError("bin_activity must have one value per bin.")
        depot_ids = {d.site_id for d in self.depots}
        if any(v.depot_id not in depot_ids for v in self.vehicles):
            raise ValueError("every vehicle must belong to a known depot.")

    def vehicles_of(self, kind: VehicleKind) -> tuple[Vehicle, ...]:
        return tuple(v for v in self.vehicles if v.kind == kind)


def _in_box(
    net: RoadNetwork, nodes: npt.NDArray[np.int64], box: BoundingBox
) -> npt.NDArray[np.bool_]:
    lon, lat = net.lon[nodes], net.lat[nodes]
    return (lon >= box.min_lon) & (lon <= box.max_lon) & (lat >= box.min_lat) & (lat <= box.max_lat)


def street_activity(net: RoadNetwork, demo: DemoSetup) -> npt.NDArray[np.float64]:
    """Per directed edge: class activity x centrality (1 + 1.5 exp(-d / 1.5 km)), where d is the
    distance to the activity centre; 0 outside the placement box."""
    cls = np.array([STREET_ACTIVITY.get(h, 0.0) for h in net.edge_highway])
    mid_lon = (net.lon[net.edge_src] + net.lon[net.edge_dst]) / 2
    mid_lat = (net.lat[net.edge_src] + net.lat[net.edge_dst]) / 2
    centre = demo.activity_centre
    centrality = 1.0 + 1.5 * np.exp(-haversine_m(mid_lon, mid_lat, *centre) / 1500.0)
    box = demo.placement
    inside = _in_box(net, net.edge_src, box) & _in_box(net, net.edge_dst, box)
    return cls * centrality * inside


def place_bins(
    net: RoadNetwork,
    rng: np.random.Generator,
    n: int,
    profile: CityProfile,
    demo: DemoSetup,
) -> tuple[list[Bin], list[float]]:
    """``n`` bins along streets in the placement box, denser on busier and more central streets,
    each in the profile's district that covers it."""
    activity = street_activity(net, demo)
    pts = net.sample_street_points(rng, n, edge_weight=activity)
    districts = profile.districts.assign(pts.lon, pts.lat)
    bins: list[Bin] = []
    for k in range(n):
        lon, lat = float(pts.lon[k]), float(pts.lat[k])
        street = pts.street[k] or net.node_street[int(net.edge_src[pts.edge[k]])] or "Unnamed road"
        bins.append(
            Bin(
                bin_id=f"CPH-BIN-{k + 1:04d}",
                lon=round(lon, 7),
                lat=round(lat, 7),
                street=street,
                district=str(districts[k]),
                capacity_l=float(rng.choice([80.0, 110.0, 110.0, 160.0])),
            )
        )
    return bins, [float(a) for a in activity[pts.edge]]


def place_depots(net: RoadNetwork, depots: tuple[Site, ...]) -> list[Site]:
    """The depots, moved onto their nearest network node."""
    sites = []
    for d in depots:
        node, _ = net.snap(d.lon, d.lat)
        sites.append(Site(d.site_id, d.name, float(net.lon[node]), float(net.lat[node])))
    return sites


def make_fleet(
    rng: np.random.Generator,
    depots: list[Site],
    n_vehicles: int,
    n_trucks: int,
    n_cleaners: int,
    co2_g_per_km: Mapping[VehicleKind, float],
) -> list[Vehicle]:
    """Waste trucks (06-14), street cleaners (06-14 or 14-22) and other municipal vehicles, with
    the profile's CO2 factors per kind (other vehicles: a mix around it, :data:`OTHER_CO2_MIX`)."""
    if n_trucks + n_cleaners > n_vehicles:
        raise ValueError("n_trucks + n_cleaners must not exceed n_vehicles.")
    out: list[Vehicle] = []
    depot_ids = [d.site_id for d in depots]
    other_g_per_km = co2_g_per_km[VehicleKind.OTHER]
    for k in range(n_trucks):
        cap_l = float(rng.integers(20, 33) * 500)  # 10,000-16,000 l compacted-equivalent
        out.append(
            Vehicle(
                f"TRUCK-{k + 1:03d}",
                VehicleKind.WASTE_TRUCK,
                depot_ids[k % len(depot_ids)],
                capacity_l=cap_l,
                capacity_kg=round(cap_l * 0.45),
                shift_start_h=6.0,
                shift_end_h=14.0,
                co2_g_per_km=co2_g_per_km[VehicleKind.WASTE_TRUCK],
            )
        )
    for k in range(n_cleaners):
        start = 6.0 if rng.random() < 0.7 else 14.0
        out.append(
            Vehicle(
                f"CLEAN-{k + 1:03d}",
                VehicleKind.STREET_CLEANER,
                depot_ids[k % len(depot_ids)],
                shift_start_h=start,
                shift_end_h=start + 8.0,
                co2_g_per_km=co2_g_per_km[VehicleKind.STREET_CLEANER],
            )
        )
    shares = np.array([s[2] for s in OTHER_SHIFTS])
    choice = rng.choice(len(OTHER_SHIFTS), size=n_vehicles - len(out), p=shares / shares.sum())
    for k, c in enumerate(choice):
        start, end, _ = OTHER_SHIFTS[int(c)]
        out.append(
            Vehicle(
                f"MUNI-{k + 1:04d}",
                VehicleKind.OTHER,
                depot_ids[k % len(depot_ids)],
                shift_start_h=start,
                shift_end_h=end,
                co2_g_per_km=round(float(rng.choice(OTHER_CO2_MIX)) * other_g_per_km, 1),
            )
        )
    return out


def build_city(
    net: RoadNetwork,
    profile: CityProfile,
    demo: DemoSetup,
    seed: int,
    n_bins: int = 1000,
    n_vehicles: int = 1500,
    n_trucks: int = 60,
    n_cleaners: int = 140,
) -> City:
    """The seeded city inventory on ``net``: ``demo``'s depots and disposal sites, generated bins
    in the profile's districts and a fleet with the profile's CO2 factors."""
    if n_bins <= 0 or n_vehicles <= 0:
        raise ValueError("n_bins and n_vehicles must be positive.")
    rng = np.random.default_rng(seed)
    bins, activity = place_bins(net, rng, n_bins, profile, demo)
    depots = place_depots(net, demo.depots)
    vehicles = make_fleet(rng, depots, n_vehicles, n_trucks, n_cleaners, profile.co2_g_per_km)
    return City(tuple(bins), tuple(activity), tuple(depots), demo.disposal_sites, tuple(vehicles))
