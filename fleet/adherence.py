"""Proof of service and route adherence from GPS: which planned bins each truck really served,
which it missed, served out of order or served without a plan, how far it drove off its route,
and where the drivers' stop reports disagree with the GPS. Pure.

Definitions (dwells, corridor distances: :mod:`fleet.adherence_gps`):

served
    A bin on the truck's route is served when a dwell of that truck, by the shift end, lies
    within ``match_radius_m`` of it; it is served at the start of the first such dwell. One
    dwell may serve several bins standing together. A drive-by without a dwell is no service.
missed
    On the truck's route and not served by that truck by the shift end.
out of sequence
    Order the served bins by service time (ties by planned order). The bins on one longest
    strictly increasing subsequence of their planned positions are in sequence, the others out
    of sequence. Their count (served minus that length) is the fewest bins whose removal makes
    the service order agree with the plan; among equally long choices the patience-sorting one
    is flagged (of a swapped pair, the bin served too early).
served but not planned
    A dwell that serves no bin of the truck's own route, within the radius of a known bin (the
    inventory, and in :func:`plan_adherence` the other routes' bins): its nearest such bin,
    once per bin. Planned bins get the benefit of the doubt, so a stop at a planned bin never
    also claims its unplanned neighbour.
off-route
    GPS distance driven farther than ``corridor_m`` from the planned path: the route's road
    geometry when the plan has one, else straight segments between its stops.
disagreements (only when reports are given; the last report per bin counts)
    reported emptied but not served; served but reported skipped; served but not reported.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from core.geo import EARTH_RADIUS_M, haversine_m
from core.plan import DayPlan, VehicleRoute
from fleet.adherence_gps import (
    GpsTrace,
    bin_stops,
    detect_dwells,
    drop_outliers,
    moving_segments,
    off_route,
    route_line,
    segment_lengths_m,
    traces_from_columns,
    traces_from_fixes,
)
from fleet.adherence_types import (
    AdherenceParams,
    AdherenceTotals,
    BinVisit,
    Disagreement,
    DriverReport,
    Outcome,
    PlanAdherence,
    ReportStatus,
    TruckAdherence,
)

__all__ = [
    "AdherenceParams",
    "AdherenceTotals",
    "BinVisit",
    "Disagreement",
    "GpsTrace",
    "Outcome",
    "PlanAdherence",
    "ReportStatus",
    "DriverReport",
    "TruckAdherence",
    "plan_adherence",
    "traces_from_columns",
    "traces_from_fixes",
    "truck_adherence",
]

_M_PER_DEG_LAT = EARTH_RADIUS_M * math.pi / 180.0


def truck_adherence(
    route: VehicleRoute,
    trace: GpsTrace | None,
    params: AdherenceParams | None = None,
    reports: Sequence[DriverReport] | None = None,
    inventory: Mapping[str, tuple[float, float]] | None = None,
) -> TruckAdherence:
    """One truck's route against its GPS trace (None: no fixes). ``inventory`` maps bin ids to
    ``(lon, lat)`` to find bins served but not planned."""
    return _truck(route, trace, params or AdherenceParams(), reports, _Known.of(inventory, ()))


def plan_adherence(
    plan: DayPlan | Sequence[VehicleRoute],
    traces: Mapping[str, GpsTrace],
    params: AdherenceParams | None = None,
    reports: Sequence[DriverReport] | None = None,
    inventory: Mapping[str, tuple[float, float]] | None = None,
) -> PlanAdherence:
    """Every route of ``plan`` against its truck's trace (``traces`` by vehicle id; a truck
    without one has served nothing). Bins of other routes count as known bins for "served but
    not planned" even without an inventory."""
    p = params or AdherenceParams()
    routes = plan.routes if isinstance(plan, DayPlan) else tuple(plan)
    known = _Known.of(inventory, routes)
    trucks = tuple(_truck(r, traces.get(r.vehicle_id), p, reports, known) for r in routes)
    served = {v.bin_id for t in trucks for v in t.visits if v.outcome is not Outcome.MISSED}
    not_visited = sorted(
        (v for t in trucks for v in t.visits if v.outcome is Outcome.MISSED),
        key=lambda v: (_epoch(v.planned_eta), v.vehicle_id, v.planned_seq or 0),
    )
    total = sum((t.totals for t in trucks), AdherenceTotals())
    return PlanAdherence(
        plan.plan_id if isinstance(plan, DayPlan) else None,
        plan.plan_date if isinstance(plan, DayPlan) else None,
        p,
        trucks,
        total,
        tuple(v for v in not_visited if v.bin_id not in served),
    )


# --- matching -----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Known:
    """Bins a dwell may be matched to without being planned, as columns."""

    ids: npt.NDArray[np.str_]
    lon: npt.NDArray[np.float64]
    lat: npt.NDArray[np.float64]
    planned_for: tuple[str | None, ...]

    @staticmethod
    def of(
        inventory: Mapping[str, tuple[float, float]] | None, routes: Sequence[VehicleRoute]
    ) -> _Known:
        rows: dict[str, tuple[float, float, str | None]] = {
            b: (float(lon), float(lat), None) for b, (lon, lat) in (inventory or {}).items()
        }
        for r in routes:
            for _, b, lon, lat in bin_stops(r):
                rows[b] = (lon, lat, r.vehicle_id)
        ids = list(rows)
        cols = np.array([rows[b][:2] for b in ids], dtype=np.float64).reshape(-1, 2)
        return _Known(
            np.array(ids, dtype=np.str_), cols[:, 0], cols[:, 1], tuple(rows[b][2] for b in ids)
        )


def _truck(
    route: VehicleRoute,
    trace: GpsTrace | None,
    p: AdherenceParams,
    reports: Sequence[DriverReport] | None,
    known: _Known,
) -> TruckAdherence:
    vid = route.vehicle_id
    empty = np.zeros(0)
    raw = trace if trace is not None else GpsTrace(vid, empty, empty, empty, empty)
    tr = drop_outliers(raw.until(p.cutoff_s), p.max_speed_kmh)
    dw = detect_dwells(tr, p.stop_speed_kmh, p.min_dwell_s, p.max_gap_s)
    moving = moving_segments(tr, p.stop_speed_kmh, p.max_gap_s)
    seg_m = segment_lengths_m(tr)
    off = off_route(tr, moving, seg_m, route_line(route), p.corridor_m)

    planned = bin_stops(route)
    eta = {s.seq: s.eta for s in route.stops}
    b_lon = np.array([b[2] for b in planned], dtype=np.float64)
    b_lat = np.array([b[3] for b in planned], dtype=np.float64)
    dist = haversine_m(dw.lon[:, None], dw.lat[:, None], b_lon[None, :], b_lat[None, :])
    near = dist <= p.match_radius_m  # (dwells, planned bins)
    served: npt.NDArray[np.bool_] = np.asarray(near.any(axis=0), dtype=bool)
    first = _match_in_order(near, dw.start_s)
    order = sorted(np.flatnonzero(served).tolist(), key=lambda j: (dw.start_s[first[j]], j))
    in_seq = dict(zip(order, _on_longest_increasing(order), strict=True))

    by_bin = {r.bin_id: r for r in reports or () if r.vehicle_id in (None, vid)}
    visits: list[BinVisit] = []
    for j, (seq, bin_id, lon, lat) in enumerate(planned):
        k = int(first[j])
        hit = bool(served[j])
        report = by_bin.get(bin_id)
        visits.append(
            BinVisit(
                vid,
                bin_id,
                Outcome.SERVED if hit else Outcome.MISSED,
                lon,
                lat,
                planned_seq=seq,
                planned_eta=eta[seq],
                served_at=_utc(dw.start_s[k]) if hit else None,
                dwell_s=float(dw.duration_s[k]) if hit else None,
                distance_m=float(dist[k, j]) if hit else None,
                in_sequence=in_seq.get(j),
                reported=None if report is None else report.status,
                disagreement=_disagreement(hit, report) if reports is not None else None,
            )
        )
    loose = np.flatnonzero(~near.any(axis=1))  # dwells that serve no bin of the route
    own = {b[1] for b in planned}
    for k, i, d in _nearest_known(dw.lon[loose], dw.lat[loose], known, own, p.match_radius_m):
        dwell = int(loose[k])
        visits.append(
            BinVisit(
                vid,
                str(known.ids[i]),
                Outcome.UNPLANNED,
                float(known.lon[i]),
                float(known.lat[i]),
                served_at=_utc(dw.start_s[dwell]),
                dwell_s=float(dw.duration_s[dwell]),
                distance_m=d,
                planned_for=known.planned_for[i],
            )
        )
    driven_km = float(seg_m[moving].sum()) / 1000.0
    totals = AdherenceTotals.of(visits, driven_km, off.metres / 1000.0)
    return TruckAdherence(vid, len(tr), tuple(visits), totals, off.lines)


def _match_in_order(
    near: npt.NDArray[np.bool_], start_s: npt.NDArray[np.float64]
) -> npt.NDArray[np.int64]:
    """Per planned bin (columns, in planned order), the dwell (rows) that serves it: the first
    near dwell no earlier than the previous bin's, else its first near dwell (served out of
    order). Where bins stand close together, a dwell at an early bin must not count as serving
    a neighbour planned hours later that the truck empties on its own stop."""
    chosen = np.zeros(near.shape[1], dtype=np.int64)
    t_prev = -np.inf
    for j in range(near.shape[1]):
        rows = np.flatnonzero(near[:, j])
        if rows.size == 0:
            continue
        later = rows[start_s[rows] >= t_prev]
        chosen[j] = later[0] if later.size else rows[0]
        if later.size:
            t_prev = float(start_s[chosen[j]])
    return chosen


def _nearest_known(
    lon: npt.NDArray[np.float64],
    lat: npt.NDArray[np.float64],
    known: _Known,
    exclude: set[str],
    radius_m: float,
) -> list[tuple[int, int, float]]:
    """``(dwell, known bin, metres)``: each dwell's nearest known bin within the radius (bins
    in ``exclude`` left out), each bin with its first dwell only."""
    if lon.size == 0 or known.ids.size == 0:
        return []
    pad_lat = radius_m / _M_PER_DEG_LAT
    pad_lon = pad_lat / max(math.cos(math.radians(float(np.abs(lat).max()))), 1e-6)
    box = (
        (known.lon >= lon.min() - pad_lon)
        & (known.lon <= lon.max() + pad_lon)
        & (known.lat >= lat.min() - pad_lat)
        & (known.lat <= lat.max() + pad_lat)
        & ~np.isin(known.ids, list(exclude))
    )
    cand = np.flatnonzero(box)
    if cand.size == 0:
        return []
    dist = haversine_m(
        lon[:, None], lat[:, None], known.lon[cand][None, :], known.lat[cand][None, :]
    )
    best = dist.argmin(axis=1)
    ok = dist[np.arange(lon.size), best] <= radius_m
    pairs: list[tuple[int, int, float]] = []
    seen: set[int] = set()
    for k in np.flatnonzero(ok).tolist():
        i = int(cand[best[k]])
        if i not in seen:
            seen.add(i)
            pairs.append((k, i, float(dist[k, best[k]])))
    return pairs


def _on_longest_increasing(values: Sequence[int]) -> list[bool]:
    """Per value: is it on the longest strictly increasing subsequence (patience sorting)?"""
    tails: list[int] = []  # index of the smallest last value of an increasing run per length
    tail_values: list[int] = []
    prev = [-1] * len(values)
    for i, v in enumerate(values):
        k = bisect_left(tail_values, v)
        prev[i] = tails[k - 1] if k else -1
        if k == len(tails):
            tails.append(i)
            tail_values.append(v)
        else:
            tails[k], tail_values[k] = i, v
    on = [False] * len(values)
    i = tails[-1] if tails else -1
    while i >= 0:
        on[i] = True
        i = prev[i]
    return on


def _disagreement(served: bool, report: DriverReport | None) -> Disagreement | None:
    status = None if report is None else report.status
    if served and status is None:
        return Disagreement.SERVED_NOT_REPORTED
    if served and status is ReportStatus.SKIPPED:
        return Disagreement.SERVED_BUT_SKIPPED
    if not served and status is ReportStatus.EMPTIED:
        return Disagreement.EMPTIED_NOT_SERVED
    return None


def _utc(t_s: float) -> datetime:
    return datetime.fromtimestamp(float(t_s), tz=UTC)


def _epoch(t: datetime | None) -> float:
    return math.inf if t is None else t.timestamp()
