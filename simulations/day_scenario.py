"""The simulated day's scenario (what to simulate, local time) and the console it reports on."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from rich.console import Console

from core.districts import Districts
from routing.network.graph import RoadNetwork
from simulations.parking_sim import SimConfig, SimSite, StreetPoint, make_sites

log = logging.getLogger("city_day")
console = Console(width=150)


@dataclass(frozen=True)
class DayScenario:
    """What to simulate, in local time of ``tz`` (the city profile's time zone)."""

    day: date
    seed: int
    n_bins: int
    n_vehicles: int
    gps_start_h: float
    gps_hours: float
    fill_days: float
    fill_interval_min: float
    parking_days: float
    parking_step_min: int
    fault_rate: float
    tz: str

    def __post_init__(self) -> None:
        ZoneInfo(self.tz)  # raises on an unknown zone

    @property
    def gps_start(self) -> datetime:
        midnight = datetime(self.day.year, self.day.month, self.day.day, tzinfo=ZoneInfo(self.tz))
        return midnight + timedelta(hours=self.gps_start_h)

    @property
    def gps_end(self) -> datetime:
        return self.gps_start + timedelta(hours=self.gps_hours)


def parking_sites_on(net: RoadNetwork, seed: int, districts: Districts) -> list[SimSite]:
    """Parking sites on named streets of ``net`` (seeded), in their districts."""
    import numpy as np

    pts = net.sample_street_points(np.random.default_rng([seed, 7]), 600)
    named = [
        StreetPoint(float(x), float(y), s)
        for x, y, s in zip(pts.lon, pts.lat, pts.street, strict=True)
        if s
    ]
    return make_sites(SimConfig(step_min=15, seed=seed), named, districts)
