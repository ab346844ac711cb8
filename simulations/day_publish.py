"""Publishing the simulated days' streams to the broker, with realistic faults (adapter: Kafka).

Before the first day: the bins' fill history up to the first plan and the parking counts of the
whole run; then, each day after its plan: the day's GPS (the routed trucks' whole shift merged
with the other vehicles' window, in time order) and the fill readings up to the next day's plan.
One fault injector per stream runs across the days.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import datetime, timedelta

from core.records import GpsFix
from core.settings import Settings
from simulations.bin_levels import BinLevels
from simulations.bins_sim import FillHistory, simulate_history
from simulations.city import City
from simulations.day_scenario import DayScenario, console
from simulations.faults import FaultInjector
from simulations.parking_sim import SimConfig, SimSite, simulate
from simulations.publish import Publisher


class Streams:
    """The run's publisher and its fault injectors (fill, parking, GPS)."""

    def __init__(
        self, settings: Settings, bootstrap: str, scenario: DayScenario, speedup: float
    ) -> None:
        self.settings, self.scenario = settings, scenario
        self.pub = Publisher(bootstrap, speedup)
        seed, rate = scenario.seed, scenario.fault_rate
        self._fill = FaultInjector(rate, seed)
        self._parking = FaultInjector(rate, seed + 1)
        self._gps = FaultInjector(rate, seed + 2)

    @property
    def interval(self) -> timedelta:
        return timedelta(minutes=self.scenario.fill_interval_min)

    def history(self, city: City, first_plan: datetime) -> BinLevels:
        """Publish ``fill_days`` of readings before ``first_plan``; the bins' state after."""
        sc, t0 = self.scenario, time.monotonic()
        start = first_plan - timedelta(days=sc.fill_days)
        history = simulate_history(
            list(city.bins),
            start,
            timedelta(days=sc.fill_days) - self.interval,
            self.interval,
            sc.seed,
            activity=city.bin_activity,
            tz=sc.tz,
        )
        self.readings(history)
        console.log(
            f"fill readings published: {self.pub.counts.sent[self.settings.topic_fill]:,}"
            f" ({time.monotonic() - t0:.1f} s)"
        )
        return BinLevels.after(history, city.bin_activity, sc.seed, sc.tz)

    def readings(self, history: FillHistory) -> int:
        """Publish ``history``'s readings; how many were sent."""
        topic = self.settings.topic_fill
        before = self.pub.counts.sent[topic]
        self.pub.send_all(topic, self._fill.messages(history.readings()))
        return self.pub.counts.sent[topic] - before

    def parking(self, sites: list[SimSite]) -> None:
        """Publish ``parking_days`` of counts up to the end of the last day's GPS window."""
        sc, t0 = self.scenario, time.monotonic()
        start = sc.gps_end - timedelta(days=sc.parking_days)
        cfg = SimConfig(step_min=sc.parking_step_min, seed=sc.seed)
        self.pub.send_all(
            self.settings.topic_parking,
            self._parking.messages(simulate(sites, start, sc.parking_days, cfg, sc.tz)),
        )
        console.log(
            f"parking observations published: {self.pub.counts.sent[self.settings.topic_parking]:,}"
            f" ({time.monotonic() - t0:.1f} s)"
        )

    def gps(self, batches: Iterable[list[GpsFix]]) -> int:
        """Publish GPS batches in time order, paced by ``--speedup`` from the day's first fix."""
        topic = self.settings.topic_gps
        before = self.pub.counts.sent[topic]
        self.pub.restart_pacing()
        for batch in batches:
            if batch:
                self.pub.send_all(topic, self._gps.messages(batch), sim_time=batch[0].observed_at)
        return self.pub.counts.sent[topic] - before

    def flush(self) -> None:
        self.pub.flush()

    def close(self) -> None:
        self.pub.close()
