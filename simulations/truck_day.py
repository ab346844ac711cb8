"""The waste trucks drive a stored day plan, and their GPS (pure, seeded).

A :class:`~core.plan.DayPlan`'s routes become the trucks' stop lists (bins and disposal sites in
planned order), which the closed-loop simulator's execution drives
(:mod:`simulations.loop.execution`): each truck leaves its depot at its shift start, legs take
the road network's time x the day's seeded traffic perturbation (:mod:`simulations.loop.traffic`),
each bin takes its service time (perturbed too), a full truck unloads at the disposal site, and
the bins it can no longer serve and still unload and be home by the shift end are left. Its GPS
(:mod:`simulations.loop.gps`) follows the fastest road path between consecutive stops (the
geometry stored with the plan, :mod:`routing.network.geometry`) every 5 s, standing at each bin
for its service and at the disposal site while unloading. A small seeded share of the planned
bins is found blocked: the truck drives on without stopping and the driver reports why.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from core.plan import DayPlan, StopKind
from core.records import GpsFix
from routing.network.graph import RoadNetwork
from simulations.loop.clock import Clock
from simulations.loop.config import GpsConfig, TrafficConfig
from simulations.loop.execution import DayExecution, Service, TruckDay, execute
from simulations.loop.gps import day_fixes
from simulations.loop.planner import RoutePlan, TruckRoute
from simulations.loop.scenario import Scenario
from simulations.loop.traffic import day_traffic

STREAM_BLOCKED = 71
BLOCKED_REASONS = ("blocked", "not_accessible", "damaged")  # the API's skip reasons that fit


@dataclass(frozen=True)
class DriveConfig:
    """How the day is driven: traffic noise, tracker, unloading time, blocked bins."""

    traffic: TrafficConfig = field(default_factory=TrafficConfig)
    gps: GpsConfig = field(default_factory=GpsConfig)
    unload_s: float = 900.0  # as the day problem assumes (DayConfig.unload_s)
    blocked_rate: float = 0.01  # share of planned bins found blocked, passed without stopping

    def __post_init__(self) -> None:
        if self.unload_s < 0:
            raise ValueError("unload_s must be non-negative.")
        if not 0 <= self.blocked_rate < 1:
            raise ValueError("blocked_rate must be in [0, 1).")


@dataclass(frozen=True, eq=False)
class DrivenDay:
    """What the trucks did on ``day``: the execution, their GPS in time order, blocked bins."""

    day: int
    execution: DayExecution
    fixes: tuple[GpsFix, ...]
    blocked: Mapping[str, str]  # bin id -> reason the driver gives
    bin_ids: tuple[str, ...]  # of the scenario's bins (``Service.bin_index``)

    def services(self) -> dict[str, Service]:
        """The bins emptied, by bin id."""
        return {self.bin_ids[s.bin_index]: s for s in self.execution.services}

    def truck(self, vehicle_id: str) -> TruckDay:
        return next(t for t in self.execution.trucks if t.vehicle_id == vehicle_id)

    def last_fix(self) -> dict[str, GpsFix]:
        """Each truck's last fix (back at its depot)."""
        return {f.vehicle_id: f for f in self.fixes}


def route_plan(plan: DayPlan, skip: Collection[str] = ()) -> RoutePlan:
    """The plan's routes as stop lists (bins and disposal sites in order; depots implicit),
    without the bins in ``skip``."""
    routes = []
    for r in plan.routes:
        stops = []
        for s in r.stops:
            if s.kind is StopKind.BIN and s.bin_id is not None and s.bin_id not in skip:
                stops.append(s.bin_id)
            elif s.kind is StopKind.DISPOSAL and s.site_id is not None:
                stops.append(s.site_id)
        routes.append(TruckRoute(r.vehicle_id, tuple(stops)))
    return RoutePlan(tuple(routes))


def blocked_bins(plan: DayPlan, rate: float, seed: int, day: int) -> dict[str, str]:
    """A ``rate`` share of the plan's bins found blocked on ``day``, with the reason given."""
    bins = sorted(b for r in plan.routes for b in r.bin_ids)
    rng = np.random.default_rng([seed, STREAM_BLOCKED, day])
    hit = rng.random(len(bins)) < rate
    why = rng.integers(len(BLOCKED_REASONS), size=len(bins))
    return {b: BLOCKED_REASONS[int(w)] for b, h, w in zip(bins, hit, why, strict=True) if h}


def drive_plan(
    plan: DayPlan,
    sc: Scenario,
    net: RoadNetwork,
    clock: Clock,
    day: int,
    seed: int,
    content_of: Callable[[int, float], float],
    config: DriveConfig | None = None,
) -> DrivenDay:
    """Drive ``plan`` on ``clock``'s ``day``: ``content_of(bin index, sim hour)`` gives the
    litres a truck finds in a bin (the simulator's truth); everything random is drawn from
    ``seed`` and ``day``."""
    cfg = config or DriveConfig()
    blocked = blocked_bins(plan, cfg.blocked_rate, seed, day)
    traffic = day_traffic(seed, day, sc.matrix.size, sc.n_bins, cfg.traffic)
    execution = execute(
        sc, clock, day, route_plan(plan, blocked), traffic, content_of, cfg.unload_s
    )
    fixes = day_fixes(execution, net, sc, clock, seed, day, cfg.gps)
    return DrivenDay(day, execution, tuple(fixes), blocked, tuple(b.bin_id for b in sc.bins))


def gps_stream(
    trucks: Sequence[GpsFix], others: Iterable[Sequence[GpsFix]], step_s: float = 5.0
) -> Iterator[list[GpsFix]]:
    """The trucks' fixes (time order) merged with the other vehicles' batches (time order), in
    batches of ``step_s`` seconds."""
    merged = heapq.merge(trucks, itertools.chain.from_iterable(others), key=lambda f: f.observed_at)
    for _, batch in itertools.groupby(merged, key=lambda f: f.observed_at.timestamp() // step_s):
        yield list(batch)
