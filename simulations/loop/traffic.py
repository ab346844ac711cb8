"""Traffic and kerbside noise for a day's driving, drawn from the seed and the day alone.

Common random numbers: whatever route a policy drives, a leg ``i -> j`` on day ``d`` takes the
network's time x the day's city-wide factor x ``exp(place_sd * (z_i + z_j) / sqrt 2)`` (each
place's congestion that day), and emptying bin ``b`` takes its service time x its day's factor.
Distances are those of the network: traffic changes time, not the road driven.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from simulations.loop.config import TrafficConfig

FloatArray = npt.NDArray[np.float64]
STREAM_TRAFFIC = 21


@dataclass(frozen=True, eq=False)
class DayTraffic:
    """One day's multipliers: the city's, per matrix point, per bin's service time."""

    city: float
    place: FloatArray  # log-factor per matrix point, already scaled
    service: FloatArray  # multiplier of each bin's service time

    def leg_factor(self, i: int, j: int) -> float:
        return float(self.city * np.exp((self.place[i] + self.place[j]) / np.sqrt(2.0)))


def day_traffic(seed: int, day: int, n_points: int, n_bins: int, cfg: TrafficConfig) -> DayTraffic:
    """The draws of ``day`` for ``seed`` (independent of everything a policy does)."""
    rng = np.random.default_rng([seed, STREAM_TRAFFIC, day])
    city = float(np.exp(rng.normal(0.0, cfg.day_sd)))
    place = rng.normal(0.0, cfg.place_sd, size=n_points)
    service = np.exp(rng.normal(0.0, cfg.service_sd, size=n_bins) - cfg.service_sd**2 / 2)
    return DayTraffic(city=city, place=place, service=service)
