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
    """What to simulate, in local time of ``tz`` (the city profile's time zone): ``days``
    consecutive days from ``day``, bin history for ``fill_days`` before the first day's plan,
    parking counts for ``parking_days`` up to the last day's GPS window, and each day the
    vehicles other than the routed trucks sending GPS ``gps_hours`` from ``gps_start_h``."""

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
    days: int = 1

    def __post_init__(self) -> None:
        ZoneInfo(self.tz)  # raises on an unknown zone
        if self.days < 1:
            raise ValueError("days must be at least 1.")
        if self.gps_hours < 0 or self.fill_days <= 0 or self.fill_interval_min <= 0:
            raise ValueError("gps_hours must be >= 0, fill_days and fill_interval_min positive.")

    def date_of(self, d: int) -> date:
        return self.day + timedelta(days=d)

    def midnight(self, d: int = 0) -> datetime:
        """Local midnight starting day ``d`` (0: the first day)."""
        day = self.date_of(d)
        return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(self.tz))

    def at(self, d: int, local_h: float) -> datetime:
        """Local clock time ``local_h`` hours into day ``d``."""
        return self.midnight(d) + timedelta(hours=local_h)

    def gps_window(self, d: int) -> tuple[datetime, datetime]:
        """The other vehicles' GPS window on day ``d``."""
        start = self.at(d, self.gps_start_h)
        return start, start + timedelta(hours=self.gps_hours)

    @property
    def gps_start(self) -> datetime:
        return self.gps_window(0)[0]

    @property
    def gps_end(self) -> datetime:
        """End of the last day's GPS window (the parking counts run up to it)."""
        return self.gps_window(self.days - 1)[1]


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
