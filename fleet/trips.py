"""Trip and stop detection from one vehicle's GPS trace, and its day's fleet figures. Pure.

A vehicle is *stopped* while its reported speed stays under ``stop_speed_kmh`` for at least
``min_stop_s``; *trips* are the moving stretches between stops. A gap longer than ``max_gap_s``
without fixes (tracker off, vehicle parked in a garage) ends a trip too. Fixes implying an
impossible jump (multipath outliers) are dropped before distances are summed, and distance is
only counted while moving, so GPS jitter at a standstill adds no kilometres. Time per area
comes from a vectorised ``area_of(lon, lat) -> names`` (e.g. the city profile's
:meth:`core.districts.Districts.assign`), called once per trace.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from core.geo import haversine_m

FloatArray = npt.NDArray[np.float64]
AreaOf = Callable[[FloatArray, FloatArray], npt.ArrayLike]  # lon, lat arrays -> area names


@dataclass(frozen=True, slots=True)
class TripParams:
    """Thresholds of trip detection; validated at construction."""

    stop_speed_kmh: float = 3.0
    min_stop_s: float = 60.0
    max_gap_s: float = 600.0
    max_speed_kmh: float = 130.0  # jumps implying more than this are outliers

    def __post_init__(self) -> None:
        if self.stop_speed_kmh < 0 or self.min_stop_s <= 0 or self.max_gap_s <= 0:
            raise ValueError("stop_speed_kmh must be >= 0, min_stop_s and max_gap_s positive.")
        if self.max_speed_kmh <= self.stop_speed_kmh:
            raise ValueError("max_speed_kmh must exceed stop_speed_kmh.")


@dataclass(frozen=True, slots=True)
class Stop:
    start_s: float
    end_s: float
    lon: float
    lat: float

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True, slots=True)
class Trip:
    start_s: float
    end_s: float
    distance_m: float


@dataclass(frozen=True, slots=True)
class VehicleDay:
    """One vehicle's day from its GPS trace."""

    trips: tuple[Trip, ...]
    stops: tuple[Stop, ...]
    distance_m: float
    moving_s: float
    stopped_s: float
    seconds_by_area: dict[str, float]
    dropped_outliers: int

    def co2_kg(self, g_per_km: float) -> float:
        return self.distance_m / 1000.0 * g_per_km / 1000.0


def drop_outliers(
    t: FloatArray, lon: FloatArray, lat: FloatArray, max_speed_ms: float
) -> npt.NDArray[np.bool_]:
    """Keep mask: a fix is a spike (dropped) if getting there from the previous fix and on to
    the next both imply impossible speeds, while skipping it does not."""
    n = len(t)
    keep = np.ones(n, dtype=bool)
    if n < 3:
        return keep
    dt = np.maximum(np.diff(t), 1e-3)
    v = haversine_m(lon[:-1], lat[:-1], lon[1:], lat[1:]) / dt
    skip = haversine_m(lon[:-2], lat[:-2], lon[2:], lat[2:]) / np.maximum(t[2:] - t[:-2], 1e-3)
    keep[1:-1] = ~((v[:-1] > max_speed_ms) & (v[1:] > max_speed_ms) & (skip <= max_speed_ms))
    return keep


def analyse(
    t_s: npt.ArrayLike,
    lon: npt.ArrayLike,
    lat: npt.ArrayLike,
    speed_kmh: npt.ArrayLike,
    area_of: AreaOf,
    params: TripParams | None = None,
) -> VehicleDay:
    """Trips, stops, distance and time per area of one vehicle's fixes (any order)."""
    p = params or TripParams()
    t = np.asarray(t_s, dtype=np.float64)
    order = np.argsort(t, kind="stable")
    t = t[order]
    x = np.asarray(lon, dtype=np.float64)[order]
    y = np.asarray(lat, dtype=np.float64)[order]
    v = np.asarray(speed_kmh, dtype=np.float64)[order]
    if len(t) == 0:
        return VehicleDay((), (), 0.0, 0.0, 0.0, {}, 0)
    keep = drop_outliers(t, x, y, p.max_speed_kmh / 3.6)
    dropped = int((~keep).sum())
    t, x, y, v = t[keep], x[keep], y[keep], v[keep]
    still = v < p.stop_speed_kmh
    dt = np.diff(t)
    seg_m = haversine_m(x[:-1], y[:-1], x[1:], y[1:]) if len(t) > 1 else np.zeros(0)
    connected = dt <= p.max_gap_s

    # stationary runs long enough are stops
    stops: list[Stop] = []
    stop_mask = np.zeros(len(t), dtype=bool)
    i = 0
    while i < len(t):
        if not still[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(t) and still[j + 1] and connected[j]:
            j += 1
        if t[j] - t[i] >= p.min_stop_s:
            stops.append(
                Stop(
                    float(t[i]),
                    float(t[j]),
                    float(np.median(x[i : j + 1])),
                    float(np.median(y[i : j + 1])),
                )
            )
            stop_mask[i : j + 1] = True
        i = j + 1

    # moving intervals: connected, and not inside a stop
    moving = connected & ~(stop_mask[:-1] & stop_mask[1:])
    trips: list[Trip] = []
    start: int | None = None
    dist = 0.0
    for k in range(len(dt)):
        if moving[k]:
            if start is None:
                start, dist = k, 0.0
            dist += float(seg_m[k])
        elif start is not None:
            trips.append(Trip(float(t[start]), float(t[k]), dist))
            start = None
    if start is not None:
        trips.append(Trip(float(t[start]), float(t[-1]), dist))

    by_area: dict[str, float] = {}
    timed = np.flatnonzero(connected)  # an interval counts for the area of its first fix
    if timed.size:
        areas = np.broadcast_to(np.asarray(area_of(x[timed], y[timed])), timed.shape)
        names, which = np.unique(areas, return_inverse=True)
        seconds = np.bincount(which.ravel(), weights=dt[timed], minlength=len(names))
        by_area = {str(a): float(sec) for a, sec in zip(names, seconds, strict=True)}
    moving_s = float(dt[moving].sum()) if len(dt) else 0.0
    stopped_s = float(sum(s.duration_s for s in stops))
    return VehicleDay(
        tuple(trips),
        tuple(stops),
        float(sum(tr.distance_m for tr in trips)),
        moving_s,
        stopped_s,
        by_area,
        dropped,
    )
