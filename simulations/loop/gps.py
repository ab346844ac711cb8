"""GPS fixes of the trucks along the road geometry of what they actually drove (pure).

Each leg of a :class:`~simulations.loop.execution.TruckDay` follows the fastest network path
between its points' snapped nodes (:func:`routing.network.geometry.leg_paths`, or the kept
:class:`~simulations.loop.road_paths.RoadPaths` of a closed-loop run: the geometry the planner's
matrix assumes), timed in proportion to the edges' travel times and stretched to the
leg's perturbed duration; between legs the truck stands at its stop (a bin, the disposal site).
Fixes every ``interval_s`` get Gaussian noise of ``sigma_m``; speed and heading come from the
noiseless track. The noise is drawn from the seed and the day (it affects no policy).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from core.geo import haversine_m
from core.records import GpsFix
from routing.network.geometry import leg_paths
from routing.network.graph import RoadNetwork
from simulations.loop.clock import Clock
from simulations.loop.config import GpsConfig
from simulations.loop.execution import DayExecution, TruckDay
from simulations.loop.road_paths import Shape
from simulations.loop.scenario import Scenario

FloatArray = npt.NDArray[np.float64]
STREAM_GPS = 41
M_PER_DEG = 111_320.0
CONNECTOR_KMH = 15.0  # pace between a stop and its snapped network node (timing weight only)


ShapeOf = Callable[[int, int], Shape]  # a leg's (node lon, node lat, edge seconds)


def path_shapes(net: RoadNetwork, paths: dict[tuple[int, int], list[int]]) -> ShapeOf:
    """Leg shapes from node paths (``[a, b]`` for a leg not in ``paths``)."""

    def shape(a: int, b: int) -> Shape:
        path = paths.get((a, b), [a, b]) if a != b else [a]
        w = np.zeros(0)
        if len(path) > 1:
            w = np.asarray(net.time_csr[path[:-1], path[1:]], dtype=np.float64).ravel()
        return net.lon[path], net.lat[path], w

    return shape


def _knots(truck: TruckDay, sc: Scenario, shape: ShapeOf) -> tuple[FloatArray, ...]:
    """The noiseless track as (sim hour, lon, lat) knots."""
    lon, lat = sc.points
    nodes = sc.matrix.nodes
    org = np.array([g.origin for g in truck.legs], dtype=np.int64)
    dst = np.array([g.destination for g in truck.legs], dtype=np.int64)
    shapes = [shape(int(a), int(b)) for a, b in zip(nodes[org], nodes[dst], strict=True)]
    ends = np.array([(s[0][0], s[1][0], s[0][-1], s[1][-1]) for s in shapes]).reshape(-1, 4)
    # the way from the stop to its snapped node and back to the street takes time too (a
    # disposal site may lie hundreds of metres off the network): no jump, no false speed
    speed = CONNECTOR_KMH / 3.6
    out_s = haversine_m(lon[org], lat[org], ends[:, 0], ends[:, 1]) / speed
    in_s = haversine_m(ends[:, 2], ends[:, 3], lon[dst], lat[dst]) / speed
    t: list[FloatArray] = []
    x: list[FloatArray] = []
    y: list[FloatArray] = []
    for k, leg in enumerate(truck.legs):
        sx, sy, w = shapes[k]
        cum = np.concatenate([[0.0], np.cumsum(np.concatenate([[out_s[k]], w, [in_s[k]]]))])
        frac = cum / cum[-1] if cum[-1] > 0 else np.linspace(0.0, 1.0, cum.size)
        t.append(leg.depart_h + frac * (leg.arrive_h - leg.depart_h))
        x.append(np.concatenate([[lon[org[k]]], sx, [lon[dst[k]]]]))
        y.append(np.concatenate([[lat[org[k]]], sy, [lat[dst[k]]]]))
    return np.concatenate(t), np.concatenate(x), np.concatenate(y)


@dataclass(frozen=True, eq=False)
class Track:
    """One truck's fixes as columns: sim hours, noisy lon/lat, speed (km/h) and heading."""

    vehicle_id: str
    t_h: FloatArray
    lon: FloatArray
    lat: FloatArray
    speed_kmh: FloatArray
    heading: FloatArray

    def __len__(self) -> int:
        return int(self.t_h.size)


def truck_track(
    truck: TruckDay,
    net: RoadNetwork,
    sc: Scenario,
    rng: np.random.Generator,
    cfg: GpsConfig,
    paths: dict[tuple[int, int], list[int]] | None = None,
    shape: ShapeOf | None = None,
) -> Track | None:
    """One truck's fixes from its first departure to its return (None: it did not drive); legs
    follow ``shape`` when given, else ``paths`` (fastest paths found as needed)."""
    if not truck.legs:
        return None
    if shape is None:
        shape = path_shapes(net, driven_paths([truck], net, sc, paths))
    kt, kx, ky = _knots(truck, sc, shape)
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
    return Track(truck.vehicle_id, ts, nx, ny, speed, heading)


def truck_fixes(
    truck: TruckDay,
    net: RoadNetwork,
    sc: Scenario,
    clock: Clock,
    rng: np.random.Generator,
    cfg: GpsConfig,
    paths: dict[tuple[int, int], list[int]] | None = None,
) -> list[GpsFix]:
    """One truck's fixes from its first departure to its return, as wire records."""
    tr = truck_track(truck, net, sc, rng, cfg, paths)
    if tr is None:
        return []
    cols = (tr.t_h, tr.lon, tr.lat, tr.speed_kmh, tr.heading)
    return [
        GpsFix(tr.vehicle_id, clock.instant(float(t)), float(a), float(b), float(v), float(h))
        for t, a, b, v, h in zip(*cols, strict=True)
    ]


def driven_paths(
    trucks: Sequence[TruckDay],
    net: RoadNetwork,
    sc: Scenario,
    cache: dict[tuple[int, int], list[int]] | None = None,
) -> dict[tuple[int, int], list[int]]:
    """The node path of every leg the trucks drove, added to ``cache`` (returned) when given."""
    nodes = sc.matrix.nodes
    legs = {(int(nodes[g.origin]), int(nodes[g.destination])) for t in trucks for g in t.legs}
    return node_paths(net, legs, cache)


def node_paths(
    net: RoadNetwork,
    legs: set[tuple[int, int]],
    cache: dict[tuple[int, int], list[int]] | None = None,
) -> dict[tuple[int, int], list[int]]:
    """:func:`~routing.network.geometry.leg_paths` of the ``legs`` not yet in ``cache``, added
    to it; returns the cache (a new dict when None)."""
    out = {} if cache is None else cache
    todo = {(a, b) for a, b in legs if a != b and (a, b) not in out}
    if todo:
        out.update(leg_paths(net, todo))
    return out


def day_tracks(
    execution: DayExecution,
    net: RoadNetwork,
    sc: Scenario,
    seed: int,
    day: int,
    cfg: GpsConfig | None = None,
    shape: ShapeOf | None = None,
) -> list[Track]:
    """Every driving truck's track of a day, in the execution's truck order (legs along
    ``shape`` when given, else the fastest paths found for the day)."""
    c = cfg or GpsConfig()
    rng = np.random.default_rng([seed, STREAM_GPS, day])
    if shape is None:
        shape = path_shapes(net, driven_paths(execution.trucks, net, sc))
    tracks = (truck_track(t, net, sc, rng, c, shape=shape) for t in execution.trucks)
    return [t for t in tracks if t is not None]


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
    fixes = [
        GpsFix(tr.vehicle_id, clock.instant(float(t)), float(a), float(b), float(v), float(h))
        for tr in day_tracks(execution, net, sc, seed, day, cfg)
        for t, a, b, v, h in zip(tr.t_h, tr.lon, tr.lat, tr.speed_kmh, tr.heading, strict=True)
    ]
    return sorted(fixes, key=lambda f: (f.observed_at, f.vehicle_id))
