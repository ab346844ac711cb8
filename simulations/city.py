"""The simulated city inventory on the real road network: bins, depots, disposal site, vehicles.

Pure and seeded. Stand-in for Copenhagen's open-data layers (``affaldskurve_puma`` bins and the
municipal fleet), which are not available offline.

District rule (ordered, first match wins; lon/lat in degrees):

1. Indre By      - within 1.3 km of Kongens Nytorv-ish centre (12.580 E, 55.681 N)
2. Østerbro      - north of 55.695 N and east of 12.565 E
3. Nørrebro      - north of 55.686 N and west of 12.565 E (also covers Nordvest at the edge)
4. Frederiksberg - west of 12.545 E
5. Vesterbro     - south of 55.676 N and west of 12.575 E
6. Amager        - east of 12.590 E and south of 55.681 N
7. Indre By      - anything else (the central remainder)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from core.domain import Bin, BoundingBox, Site, Vehicle, VehicleKind
from core.geo import haversine_m
from routing.network.graph import RoadNetwork

CENTRAL_BOX = BoundingBox(12.538, 55.678, 12.592, 55.710)  # the central drive extract
CITY_CENTRE = (12.580, 55.681)
DISPOSAL_SITE = Site("ARC", "ARC Amager Bakke", 12.6206, 55.6847)
DEPOT_PLACES: tuple[tuple[str, str, float, float], ...] = (
    ("DEPOT-NB", "Depot Nørrebro", 12.5430, 55.7000),
    ("DEPOT-OB", "Depot Østerbro", 12.5840, 55.7050),
    ("DEPOT-IB", "Depot Indre By", 12.5700, 55.6830),
)
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


def district_of(lon: float, lat: float) -> str:
    """The operations district of a point, by the rule in the module docstring."""
    if float(haversine_m(lon, lat, *CITY_CENTRE)) <= 1300:
        return "Indre By"
    if lat > 55.695 and lon > 12.565:
        return "Østerbro"
    if lat > 55.686 and lon <= 12.565:
        return "Nørrebro"
    if lon < 12.545:
        return "Frederiksberg"
    if lat < 55.676 and lon < 12.575:
        return "Vesterbro"
    if lon > 12.590 and lat < 55.681:
        return "Amager"
    return "Indre By"


def _in_box(
    net: RoadNetwork, nodes: npt.NDArray[np.int64], box: BoundingBox
) -> npt.NDArray[np.bool_]:
    lon, lat = net.lon[nodes], net.lat[nodes]
    return (lon >= box.min_lon) & (lon <= box.max_lon) & (lat >= box.min_lat) & (lat <= box.max_lat)


def street_activity(net: RoadNetwork) -> npt.NDArray[np.float64]:
    """Per directed edge: class activity x centrality (1 + 1.5 exp(-d / 1.5 km)); 0 outside box."""
    cls = np.array([STREET_ACTIVITY.get(h, 0.0) for h in net.edge_highway])
    mid_lon = (net.lon[net.edge_src] + net.lon[net.edge_dst]) / 2
    mid_lat = (net.lat[net.edge_src] + net.lat[net.edge_dst]) / 2
    centrality = 1.0 + 1.5 * np.exp(-haversine_m(mid_lon, mid_lat, *CITY_CENTRE) / 1500.0)
    inside = _in_box(net, net.edge_src, CENTRAL_BOX) & _in_box(net, net.edge_dst, CENTRAL_BOX)
    return cls * centrality * inside


def place_bins(net: RoadNetwork, rng: np.random.Generator, n: int) -> tuple[list[Bin], list[float]]:
    """``n`` bins along streets in the central box, denser on busier and more central streets."""
    activity = street_activity(net)
    pts = net.sample_street_points(rng, n, edge_weight=activity)
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
                district=district_of(lon, lat),
                capacity_l=float(rng.choice([80.0, 110.0, 110.0, 160.0])),
            )
        )
    return bins, [float(a) for a in activity[pts.edge]]


def place_depots(net: RoadNetwork) -> list[Site]:
    """The depots, moved onto their nearest network node."""
    sites = []
    for site_id, name, lon, lat in DEPOT_PLACES:
        node, _ = net.snap(lon, lat)
        sites.append(Site(site_id, name, float(net.lon[node]), float(net.lat[node])))
    return sites


def make_fleet(
    rng: np.random.Generator,
    depots: list[Site],
    n_vehicles: int,
    n_trucks: int,
    n_cleaners: int,
) -> list[Vehicle]:
    """Waste trucks (06-14), street cleaners (06-14 or 14-22) and other municipal vehicles."""
    if n_trucks + n_cleaners > n_vehicles:
        raise ValueError("n_trucks + n_cleaners must not exceed n_vehicles.")
    out: list[Vehicle] = []
    depot_ids = [d.site_id for d in depots]
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
                co2_g_per_km=1100.0,
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
                co2_g_per_km=600.0,
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
                co2_g_per_km=float(rng.choice([0.0, 120.0, 180.0, 250.0])),
            )
        )
    return out


def build_city(
    net: RoadNetwork,
    seed: int,
    n_bins: int = 1000,
    n_vehicles: int = 1500,
    n_trucks: int = 60,
    n_cleaners: int = 140,
) -> City:
    """The seeded city inventory on ``net``."""
    if n_bins <= 0 or n_vehicles <= 0:
        raise ValueError("n_bins and n_vehicles must be positive.")
    rng = np.random.default_rng(seed)
    bins, activity = place_bins(net, rng, n_bins)
    depots = place_depots(net)
    vehicles = make_fleet(rng, depots, n_vehicles, n_trucks, n_cleaners)
    return City(tuple(bins), tuple(activity), tuple(depots), (DISPOSAL_SITE,), tuple(vehicles))
