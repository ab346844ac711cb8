"""Proof of service in the closed loop, with the live system's code (pure).

After each working day the platform checks the day's plan against what it can observe: the
trucks' GPS along the roads they really drove (:func:`simulations.loop.gps.day_tracks`, at the
configured interval) and the drivers' stop reports (:mod:`simulations.loop.stop_reports`).
Both go through :func:`fleet.adherence.plan_adherence` exactly as in production: the plan as
:class:`core.plan.VehicleRoute` rows with their road geometry
(:func:`~simulations.loop.planned_routes.planned_routes`), the traces in the GPS history
reader's column layout (:func:`fleet.adherence.traces_from_columns`), the inventory for bins
served but not planned, and the configured thresholds (the live defaults unless set). The
result is a measure only: the platform's knowledge comes from the reports, as in production.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.plan import VehicleRoute
from fleet.adherence import (
    DriverReport,
    GpsTrace,
    PlanAdherence,
    plan_adherence,
    traces_from_columns,
)
from routing.network.graph import RoadNetwork
from simulations.loop.clock import Clock
from simulations.loop.config import LoopConfig
from simulations.loop.execution import DayExecution
from simulations.loop.gps import Track, day_tracks
from simulations.loop.planned_routes import planned_routes, points
from simulations.loop.planner import RoutePlan
from simulations.loop.scenario import Scenario
from simulations.loop.stop_reports import StopReport


@dataclass(frozen=True, eq=False)
class DayProof:
    """What proof of service read on a day, and what it found."""

    routes: tuple[VehicleRoute, ...]
    traces: dict[str, GpsTrace]
    reports: tuple[DriverReport, ...]
    adherence: PlanAdherence


def traces_of(tracks: Sequence[Track], clock: Clock) -> dict[str, GpsTrace]:
    """The tracks as the GPS history reader returns fixes (aligned columns), made traces."""
    if not tracks:
        return {}
    ids = [t.vehicle_id for t in tracks]
    index = np.repeat(np.arange(len(tracks)), [len(t) for t in tracks])
    t_h, lon, lat, speed = (
        np.concatenate([getattr(t, c) for t in tracks]) for c in ("t_h", "lon", "lat", "speed_kmh")
    )
    return traces_from_columns(ids, index, clock.utc_s(t_h), lon, lat, speed)


class Prover:
    """Proof of service for one run, on the scenario's kept road paths."""

    def __init__(
        self, sc: Scenario, clock: Clock, cfg: LoopConfig, seed: int, unload_s: float
    ) -> None:
        if sc.network is None:
            raise ValueError(
                "proof of service needs the scenario's road network (or proof_of_service=False)."
            )
        self.net: RoadNetwork = sc.network
        self.sc, self.clock, self.cfg, self.seed, self.unload_s = sc, clock, cfg, seed, unload_s
        self.inventory = {b.bin_id: (b.lon, b.lat) for b in sc.bins}

    def _legs(self, plan: RoutePlan, execution: DayExecution) -> set[tuple[int, int]]:
        """Node pairs of every planned and driven leg of the day."""
        sc, nodes = self.sc, self.sc.matrix.nodes
        trucks = {t.vehicle_id: t for t in sc.trucks}
        seqs = [points(sc, trucks[r.vehicle_id], r) for r in plan.routes if r.stops]
        seqs += [
            [g.origin for g in t.legs] + [t.legs[-1].destination]
            for t in execution.trucks
            if t.legs
        ]
        return {
            (int(nodes[i]), int(nodes[j]))
            for p in seqs
            if len(p) > 1
            for i, j in zip(p[:-1], p[1:], strict=True)
        }

    def day(
        self, day: int, plan: RoutePlan, execution: DayExecution, reports: Sequence[StopReport]
    ) -> DayProof:
        """The adherence of ``day``'s ``plan`` from the GPS of ``execution`` and ``reports``."""
        sc, clock, roads = self.sc, self.clock, self.sc.roads
        roads.prepare(self._legs(plan, execution))
        routes = planned_routes(sc, clock, day, plan, self.unload_s, roads.shape)
        tracks = day_tracks(execution, self.net, sc, self.seed, day, self.cfg.gps, roads.shape)
        traces = traces_of(tracks, clock)
        told = tuple(
            DriverReport(sc.bins[r.bin_index].bin_id, r.status, clock.instant(r.t_h), r.vehicle_id)
            for r in reports
        )
        result = plan_adherence(routes, traces, self.cfg.adherence, told, self.inventory)
        return DayProof(routes, traces, told, result)
