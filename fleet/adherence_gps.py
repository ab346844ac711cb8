"""The GPS side of route adherence: a truck's trace, its dwell stops, and the distance it drove
off its planned route. Pure, vectorised with numpy and shapely.

A *dwell* is what :mod:`fleet.trips` calls a stop, with a shorter minimum: a run of fixes with
speed under ``stop_speed_kmh``, no gap over ``max_gap_s`` between them, lasting ``min_dwell_s``
from the first still fix to the last, placed at the median of its fixes. Multipath outliers are
dropped first, with the same rule as the fleet report, so both count kilometres alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely

from core.geo import EARTH_RADIUS_M, haversine_m
from core.plan import Line, StopKind, VehicleRoute
from core.records import GpsFix
from fleet import trips

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

_COLUMNS = ("t_s", "lon", "lat", "speed_kmh")
_M_PER_DEG = EARTH_RADIUS_M * np.pi / 180.0


@dataclass(frozen=True, eq=False)
class GpsTrace:
    """One vehicle's fixes as columns, sorted by time at construction (UTC epoch seconds,
    WGS84 degrees, km/h)."""

    vehicle_id: str
    t_s: FloatArray
    lon: FloatArray
    lat: FloatArray
    speed_kmh: FloatArray

    def __post_init__(self) -> None:
        cols = [np.asarray(getattr(self, c), dtype=np.float64) for c in _COLUMNS]
        if any(c.ndim != 1 for c in cols) or len({c.size for c in cols}) != 1:
            raise ValueError("t_s, lon, lat and speed_kmh must be 1-D and of the same length.")
        if not all(np.isfinite(c).all() for c in cols):
            raise ValueError(f"trace of {self.vehicle_id}: every value must be finite.")
        if cols[0].size > 1 and bool((np.diff(cols[0]) < 0).any()):
            order = np.argsort(cols[0], kind="stable")
            cols = [c[order] for c in cols]
        for name, col in zip(_COLUMNS, cols, strict=True):
            object.__setattr__(self, name, col)

    def __len__(self) -> int:
        return int(self.t_s.size)

    def until(self, t_end_s: float) -> GpsTrace:
        """The fixes at or before ``t_end_s``."""
        n = int(np.searchsorted(self.t_s, t_end_s, side="right"))
        return GpsTrace(self.vehicle_id, *(getattr(self, c)[:n] for c in _COLUMNS))


def traces_from_columns(
    vehicle_ids: Sequence[str],
    vehicle_index: npt.ArrayLike,
    t_s: npt.ArrayLike,
    lon: npt.ArrayLike,
    lat: npt.ArrayLike,
    speed_kmh: npt.ArrayLike,
) -> dict[str, GpsTrace]:
    """Traces per vehicle from aligned columns (fixes grouped by ``vehicle_index`` into
    ``vehicle_ids``, the layout the GPS history reader returns)."""
    idx = np.asarray(vehicle_index)
    cols = [np.asarray(a, dtype=np.float64) for a in (t_s, lon, lat, speed_kmh)]
    order = np.argsort(idx, kind="stable")
    bounds = np.searchsorted(idx[order], np.arange(len(vehicle_ids) + 1))
    out: dict[str, GpsTrace] = {}
    for i, vid in enumerate(vehicle_ids):
        sel = order[bounds[i] : bounds[i + 1]]
        if sel.size:
            out[vid] = GpsTrace(vid, *(c[sel] for c in cols))
    return out


def traces_from_fixes(fixes: Iterable[GpsFix]) -> dict[str, GpsTrace]:
    """Traces per vehicle from wire records."""
    rows: dict[str, list[tuple[float, float, float, float]]] = {}
    for f in fixes:
        rows.setdefault(f.vehicle_id, []).append(
            (f.observed_at.timestamp(), f.lon, f.lat, f.speed_kmh)
        )
    out: dict[str, GpsTrace] = {}
    for vid, r in rows.items():
        a = np.array(r, dtype=np.float64)
        out[vid] = GpsTrace(vid, a[:, 0], a[:, 1], a[:, 2], a[:, 3])
    return out


def drop_outliers(trace: GpsTrace, max_speed_kmh: float) -> GpsTrace:
    """The trace without multipath spikes (the rule of :mod:`fleet.trips`)."""
    keep = trips.drop_outliers(trace.t_s, trace.lon, trace.lat, max_speed_kmh / 3.6)
    if keep.all():
        return trace
    return GpsTrace(trace.vehicle_id, *(getattr(trace, c)[keep] for c in _COLUMNS))


@dataclass(frozen=True, eq=False)
class Dwells:
    """A trace's dwell stops as columns, in time order."""

    start_s: FloatArray
    end_s: FloatArray
    lon: FloatArray
    lat: FloatArray

    def __len__(self) -> int:
        return int(self.start_s.size)

    @property
    def duration_s(self) -> FloatArray:
        return self.end_s - self.start_s


def detect_dwells(
    trace: GpsTrace, stop_speed_kmh: float, min_dwell_s: float, max_gap_s: float
) -> Dwells:
    """Runs of still, connected fixes lasting at least ``min_dwell_s`` (first to last fix)."""
    t, n = trace.t_s, len(trace)
    still = trace.speed_kmh < stop_speed_kmh
    joined = np.zeros(n, dtype=bool)  # joined[i]: fix i continues the still run of fix i - 1
    joined[1:] = still[1:] & still[:-1] & (np.diff(t) <= max_gap_s)
    starts = np.flatnonzero(still & ~joined)
    ends = np.flatnonzero(still & ~np.append(joined[1:], False))
    keep = t[ends] - t[starts] >= min_dwell_s
    starts, ends = starts[keep], ends[keep]
    return Dwells(
        t[starts],
        t[ends],
        _run_medians(trace.lon, starts, ends),
        _run_medians(trace.lat, starts, ends),
    )


def _run_medians(
    values: FloatArray, starts: npt.NDArray[np.intp], ends: npt.NDArray[np.intp]
) -> FloatArray:
    """``np.median(values[a : b + 1])`` for every run ``(a, b)``, in one sort."""
    lengths = ends - starts + 1
    first = np.cumsum(lengths) - lengths  # where each run begins in the concatenation
    group = np.repeat(np.arange(lengths.size), lengths)
    idx = np.arange(int(lengths.sum())) - np.repeat(first - starts, lengths)
    sorted_values = values[idx][np.lexsort((values[idx], group))]
    lo, hi = first + (lengths - 1) // 2, first + lengths // 2
    return np.asarray((sorted_values[lo] + sorted_values[hi]) / 2.0, dtype=np.float64)


def moving_segments(trace: GpsTrace, stop_speed_kmh: float, max_gap_s: float) -> BoolArray:
    """Per consecutive pair of fixes: the truck drove it (connected, not both ends still)."""
    still = trace.speed_kmh < stop_speed_kmh
    return (np.diff(trace.t_s) <= max_gap_s) & ~(still[:-1] & still[1:])


def segment_lengths_m(trace: GpsTrace) -> FloatArray:
    """Great-circle length of each consecutive pair of fixes."""
    x, y = trace.lon, trace.lat
    return haversine_m(x[:-1], y[:-1], x[1:], y[1:])


def route_line(route: VehicleRoute) -> Line:
    """The planned path: the road geometry when the plan has one, else straight segments
    between the route's stops (depot, bins and disposal sites, in order)."""
    if route.geometry is not None and len(route.geometry) >= 2:
        return route.geometry
    return tuple((s.lon, s.lat) for s in route.stops)


def bin_stops(route: VehicleRoute) -> list[tuple[int, str, float, float]]:
    """``(seq, bin_id, lon, lat)`` of the route's bin stops in route order (first visit of a
    bin listed twice)."""
    seen: set[str] = set()
    out = []
    for s in route.stops:
        if s.kind is StopKind.BIN and s.bin_id is not None and s.bin_id not in seen:
            seen.add(s.bin_id)
            out.append((s.seq, s.bin_id, s.lon, s.lat))
    return out


@dataclass(frozen=True, slots=True)
class OffRoute:
    """Distance driven outside the corridor around the planned path, and where."""

    metres: float
    lines: tuple[Line, ...]  # the off-route stretches as (lon, lat) polylines


def off_route(
    trace: GpsTrace, moving: BoolArray, seg_m: FloatArray, line: Line, corridor_m: float
) -> OffRoute:
    """Driven distance farther than ``corridor_m`` from ``line``.

    Each fix is in or out of the corridor; a driven segment counts in full when both its ends
    are out, half when one is (the trapezoid rule on the out-of-corridor indicator), so a
    detour counts about its length outside the corridor. Distances to the path are taken in a
    local equirectangular projection (error well under 1 % across a city).
    """
    if len(trace) < 2 or not line:
        return OffRoute(0.0, ())
    path = np.asarray(line, dtype=np.float64)
    lon0, lat0 = float(path[:, 0].mean()), float(path[:, 1].mean())
    kx = _M_PER_DEG * np.cos(np.radians(lat0))
    px, py = (path[:, 0] - lon0) * kx, (path[:, 1] - lat0) * _M_PER_DEG
    geom = shapely.linestrings(px, py) if len(np.unique(path, axis=0)) > 1 else None
    shape = geom if geom is not None else shapely.points(px[0], py[0])
    shapely.prepare(shape)
    ends = np.zeros(len(trace), dtype=bool)  # fixes ending a driven segment: the only ones
    ends[:-1] |= moving  # whose side of the corridor matters
    ends[1:] |= moving
    pts = shapely.points((trace.lon[ends] - lon0) * kx, (trace.lat[ends] - lat0) * _M_PER_DEG)
    out = np.zeros(len(trace), dtype=bool)
    out[ends] = ~shapely.dwithin(shape, pts, corridor_m)
    weight = np.where(moving, (out[:-1].astype(float) + out[1:]) / 2.0, 0.0)
    counted = weight > 0
    # stretches: maximal runs of counted segments, drawn fix to fix
    edges = np.diff(np.concatenate(([False], counted, [False])).astype(np.int8))
    run_starts, run_ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    x, y = np.round(trace.lon, 6), np.round(trace.lat, 6)
    lines = tuple(
        tuple(zip(x[a : b + 1].tolist(), y[a : b + 1].tolist(), strict=True))
        for a, b in zip(run_starts, run_ends, strict=True)
    )
    return OffRoute(float((weight * seg_m).sum()), lines)
