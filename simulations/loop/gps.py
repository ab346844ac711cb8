"""GPS fixes of the trucks along the road geometry of what they actually drove (pure).

Each leg of a :class:`~simulations.loop.execution.TruckDay` follows the fastest network path
between its points' snapped nodes (:func:`routing.network.geometry.leg_paths`, the geometry the
planner's matrix assumes), timed in proportion to the edges' travel times and stretched to the
leg's perturbed duration; between legs the truck stands at its stop (a bin, the disposal site).
Fixes every ``interval_s`` get Gaussian noise of ``sigma_m``; speed and heading come from the
noiseless track. The noise is drawn from the seed and the day (it affects no policy).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from core.geo import haversine_m
from core.records import GpsFix
from routing.network.geometry import leg_paths
from routing.network.graph import RoadNetwork
from routing.planning.day_problem import matrix_points
from simulations.loop.clock import Clock
from simulations.loop.execution import DayExecution, TruckDay
from simulations.loop.scenario import Scenario

FloatArray = npt.NDArray[np.float64]
STREAM_GPS = 41
M_PER_DEG = 111_320.0


@dataclass(frozen=True)
class GpsConfig:
    """Tracker settings."""

    interval_s: float = 5.0
    sigma_m: float = 5.0

    def __post_init__(self) -> None:
        if self.interval_s <= 0 or self.sigma_m < 0:
            raise ValueError("interval_s must be positive and sigma_m non-negative.")


def _knots(
    truck: TruckDay,
    net: RoadNetwork,
    sc: Scenario,
    paths: dict[tuple[int, int], list[int]],
    lon: FloatArray,
    lat: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The noiseless track as (sim hour, lon, lat) knots."""
    t: list[float] = []
    x: list[float] = []
    y: list[float] = []
    nodes = sc.matrix.nodes
    for leg in truck.legs:
        a, b = int(nodes[leg.origin]), int(nodes[leg.destination])
        path = paths.get((a, b), [a, b]) if a != b else [a]
        if len(path) > 1:
            w = np.asarray(net.time_csr[path[:-1], path[1:]]).ravel()
            frac = np.concatenate([[0.0], np.cumsum(w)])
            frac = frac / frac[-1] if frac[-1] > 0 else np.linspace(0.0, 1.0, len(path))
        else:
            frac = np.zeros(1)
        dur = leg.arrive_h - leg.depart_h
        t += [leg.depart_h, *(leg.depart_h + frac * dur).tolist(), leg.arrive_h]
        x += [float(lon[leg.origin]), *net.lon[path].tolist(), float(lon[leg.destination])]
        y += [float(lat[leg.origin]), *net.lat[path].tolist(), float(lat[leg.destination])]
    return np.asarray(t), np.asarray(x), np.asarray(y)


def truck_fixes(
    truck: TruckDay,
    net: RoadNetwork,
    sc: Scenario,
    clock: Clock,
    rng: np.random.Generator,
    cfg: GpsConfig,
    paths: dict[tuple[int, int], list[int]] | None = None,
) -> list[GpsFix]:
    """One truck's fixes from its first departure to its return."""
    if not truck.legs:
        return []
    lon, lat = matrix_points(sc.bins, sc.depots, sc.disposal_sites)
    if paths is None:
        paths = _paths([truck], net, sc)
    kt, kx, ky = _knots(truck, net, sc, paths, lon, lat)
    step_h = cfg.interval_s / 3600.0
    ts = np.arange(kt[0], kt[-1] + 1e-9, step_h)
    x, y = np.interp(ts, kt, kx), np.interp(ts, kt, ky)
    dist = np.zeros(ts.size)
    dist[1:] = haversine_m(x[:-1], y[:-1], x[1:], y[1:])
    speed = dist / cfg.interval_s * 3.6
    heading = np.zeros(ts.size)
    dx = np.diff(x) * np.cos(np.radians(y[1:]))
    heading[1:] = np.degrees(np.arctan2(dx, np.diff(y))) % 360.0
    noise = rng.normal(0.0, cfg.sigma_m, size=(2, ts.size)) / M_PER_DEG
    nx = x + noise[0] / np.cos(np.radians(y))
    ny = y + noise[1]
    return [
        GpsFix(truck.vehicle_id, clock.instant(float(t)), float(a), float(b), float(v), float(h))
        for t, a, b, v, h in zip(ts, nx, ny, speed, heading, strict=True)
    ]


def _paths(
    trucks: Sequence[TruckDay], net: RoadNetwork, sc: Scenario
) -> dict[tuple[int, int], list[int]]:
    nodes = sc.matrix.nodes
    legs = {(int(nodes[g.origin]), int(nodes[g.destination])) for t in trucks for g in t.legs}
    return leg_paths(net, {(a, b) for a, b in legs if a != b})


def day_fixes(
    execution: DayExecution,
    net: RoadNetwork,
    sc: Scenario,
    clock: Clock,
    seed: int,
    day: int,
    cfg: GpsConfig | None = None,
) -> list[GpsFix]:
    """Every truck's fixes of a day, in time order."""
    c = cfg or GpsConfig()
    rng = np.random.default_rng([seed, STREAM_GPS, day])
    paths = _paths(execution.trucks, net, sc)
    fixes = [f for t in execution.trucks for f in truck_fixes(t, net, sc, clock, rng, c, paths)]
    return sorted(fixes, key=lambda f: (f.observed_at, f.vehicle_id))
