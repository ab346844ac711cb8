"""A local day of the fleet from GPS: km, driving, idling, in-service and parked time per vehicle,
district and local hour, CO2 from each vehicle's own factor, and each vehicle's use within its
shift. Pure.

Each interval between two consecutive fixes of a vehicle (after dropping multipath outliers, as
:mod:`fleet.trips` does) is *untracked* when longer than ``max_gap_s`` (tracker off, vehicle in
a garage) and counts for nothing; otherwise it takes the speed, district and place of its first
fix and falls in exactly one category:

- **driving**: moving (speed >= ``stop_speed_kmh``); its distance counts as km (stationary
  jitter never does). For **street cleaners**, moving at cleaning speed (at most
  ``cleaning_max_kmh``) inside a district is **in service** instead: the city's "time spent
  cleaning its spaces".
- A maximal run of stationary intervals (a *stationary stretch*) is
  **in service** when the vehicle's kind has working locations (waste trucks: bins and disposal
  sites) and the stretch's mean position lies within ``work_radius_m`` of one, lasting
  ``min_service_s``..``max_service_s``; else **parked** when it lies within ``depot_radius_m`` of a
  depot or lasts longer than ``max_idle_s`` (GPS carries no ignition signal: a long stop is taken
  to be engine-off); else **idling** (engine-on standstill: queues, lights, waiting in a trip).

Time in use is driving + idling + in service. Intervals are split exactly at local hour
boundaries of the city's zone (distance pro rata), so a day is local midnight to midnight and
an hour is a local clock hour (the repeated hour of a DST fall-back adds up into one hour).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
import pandas as pd

from core.districts import Districts
from core.domain import Vehicle, VehicleKind
from core.geo import haversine_m
from core.tracking import Traces
from fleet.aggregate_types import (
    DRIVING,
    IDLING,
    IN_USE,
    PARKED,
    SERVICE,
    UNKNOWN_KIND,
    AggregateParams,
    Cell,
    DayAggregates,
    Places,
    Usage,
    VehicleDay,
)
from fleet.privacy import pseudonym
from fleet.trips import drop_outliers

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
Ints = npt.NDArray[np.int64]


def day_window(day: date, tz: str, margin_s: float = 0.0) -> tuple[datetime, datetime]:
    """Local midnight to midnight of ``day`` in ``tz`` (as aware datetimes), widened by
    ``margin_s`` on both sides: the fixes an aggregation of ``day`` reads."""
    zone = ZoneInfo(tz)
    start = datetime.combine(day, time(), zone)
    end = datetime.combine(day + timedelta(days=1), time(), zone)
    pad = timedelta(seconds=margin_s)
    return start - pad, end + pad


def _wall_ms(t_ms: Ints, tz: str) -> Ints:
    """Local wall-clock time of UTC epoch milliseconds, as epoch milliseconds."""
    local = pd.to_datetime(t_ms, unit="ms", utc=True).tz_convert(tz).tz_localize(None)
    return np.asarray(local.to_numpy().astype("datetime64[ms]").astype(np.int64))


@dataclass(frozen=True, slots=True)
class Pieces:
    """Counted time of one vehicle, split at local hours: one row per piece."""

    wall_ms: Ints  # local wall-clock start (epoch ms)
    dur_ms: Ints
    metres: npt.NDArray[np.float64]
    category: Ints
    district: npt.NDArray[np.object_]


def classify(
    t_ms: Ints,
    lon: npt.NDArray[np.float64],
    lat: npt.NDArray[np.float64],
    speed: npt.NDArray[np.float64],
    district: npt.NDArray[np.object_],
    kind: str,
    places: Places,
    p: AggregateParams,
) -> Ints:
    """The category of each interval between consecutive fixes (sorted, outliers dropped);
    -1 for untracked intervals."""
    dt = np.diff(t_ms)
    connected = (dt > 0) & (dt <= p.max_gap_s * 1000)
    still = speed[:-1] < p.stop_speed_kmh
    cat = np.full(len(dt), -1, dtype=np.int64)
    moving = connected & ~still
    cat[moving] = DRIVING
    if kind == VehicleKind.STREET_CLEANER.value:
        cleaning = moving & (speed[:-1] <= p.cleaning_max_kmh) & (district[:-1] != "")
        cat[cleaning] = SERVICE
    stationary = connected & still
    if stationary.any():
        edges = np.diff(np.concatenate([[0], stationary.astype(np.int8), [0]]))
        a = np.flatnonzero(edges == 1)  # first interval of each stretch
        b = np.flatnonzero(edges == -1)  # one past its last interval = its last fix
        n_fix = b + 1 - a
        cx = np.concatenate([[0.0], np.cumsum(lon)])
        cy = np.concatenate([[0.0], np.cumsum(lat)])
        mx, my = (cx[b + 1] - cx[a]) / n_fix, (cy[b + 1] - cy[a]) / n_fix
        dur_s = (t_ms[b] - t_ms[a]) / 1000.0
        work = places.at_work(kind, mx, my, p.work_radius_m)
        work &= (dur_s >= p.min_service_s) & (dur_s <= p.max_service_s)
        parked = places.at_depot(mx, my, p.depot_radius_m) | (dur_s > p.max_idle_s)
        run_cat = np.where(work, SERVICE, np.where(parked, PARKED, IDLING))
        cat[stationary] = np.repeat(run_cat, b - a)
    return cat


def vehicle_pieces(
    t_s: npt.ArrayLike,
    lon: npt.ArrayLike,
    lat: npt.ArrayLike,
    speed_kmh: npt.ArrayLike,
    kind: str,
    tz: str,
    districts: Districts,
    places: Places,
    p: AggregateParams,
) -> Pieces:
    """One vehicle's counted intervals (fixes in any order), split at local hour boundaries."""
    t = np.asarray(t_s, dtype=np.float64)
    order = np.argsort(t, kind="stable")
    t_ms = np.round(t[order] * 1000).astype(np.int64)
    x = np.asarray(lon, dtype=np.float64)[order]
    y = np.asarray(lat, dtype=np.float64)[order]
    v = np.asarray(speed_kmh, dtype=np.float64)[order]
    keep = drop_outliers(t_ms / 1000.0, x, y, p.max_speed_kmh / 3.6)
    t_ms, x, y, v = t_ms[keep], x[keep], y[keep], v[keep]
    if len(t_ms) < 2:
        empty = np.zeros(0, dtype=np.int64)
        return Pieces(empty, empty, np.zeros(0), empty, np.zeros(0, dtype=object))
    district = np.asarray(districts.assign(x, y), dtype=object)
    cat = classify(t_ms, x, y, v, district, kind, places, p)
    k = np.flatnonzero(cat >= 0)
    moving = (cat[k] == DRIVING) | ((cat[k] == SERVICE) & (v[k] >= p.stop_speed_kmh))
    metres = np.where(moving, haversine_m(x[k], y[k], x[k + 1], y[k + 1]), 0.0)
    return _split_hours(t_ms[k], t_ms[k + 1], metres, cat[k], district[k], tz)


def _split_hours(
    start: Ints, end: Ints, metres: npt.NDArray, cat: Ints, dist: npt.NDArray, tz: str
) -> Pieces:
    """Intervals ``[start, end)`` (UTC ms) cut at every local hour boundary; distance pro rata."""
    starts, durs, ms, cats, ds = [], [], [], [], []
    s, e, m, c, d = start, end, metres, cat, dist
    while len(s):
        wall = _wall_ms(s, tz)
        cut = s + (HOUR_MS - wall % HOUR_MS)  # the next local hour boundary (offset of s)
        last = cut >= e
        piece_end = np.where(last, e, cut)
        frac = (piece_end - s) / np.maximum(e - s, 1)
        starts.append(wall)
        durs.append(piece_end - s)
        ms.append(m * frac)
        cats.append(c)
        ds.append(d)
        more = ~last
        s, e, m, c, d = cut[more], e[more], (m * (1 - frac))[more], c[more], d[more]
    if not starts:
        empty = np.zeros(0, dtype=np.int64)
        return Pieces(empty, empty, np.zeros(0), empty, np.zeros(0, dtype=object))
    return Pieces(
        np.concatenate(starts),
        np.concatenate(durs),
        np.concatenate(ms),
        np.concatenate(cats),
        np.concatenate(ds),
    )


def _shift_overlap_ms(sod_ms: Ints, dur_ms: Ints, vehicle: Vehicle | None) -> Ints:
    """Milliseconds of each piece (starting ``sod_ms`` after local midnight) inside the vehicle's
    daily shift window (``shift_end_h`` past 24 wraps into the next morning)."""
    if vehicle is None:
        return np.zeros_like(dur_ms)
    s0 = round(vehicle.shift_start_h * HOUR_MS)
    e0 = round(min(vehicle.shift_end_h, vehicle.shift_start_h + 24) * HOUR_MS)
    end = sod_ms + dur_ms
    total = np.zeros_like(dur_ms)
    for shift in (-DAY_MS, 0):
        lo, hi = s0 + shift, e0 + shift
        total += np.maximum(0, np.minimum(end, hi) - np.maximum(sod_ms, lo))
    return total


def _usage(km: float, secs: Sequence[float], g_per_km: float) -> Usage:
    return Usage(km, secs[0], secs[1], secs[2], secs[3], km * g_per_km / 1000.0)


def vehicle_day(
    day: date,
    pieces: Pieces,
    fixes: int,
    name: str,
    vehicle: Vehicle | None,
) -> tuple[VehicleDay, list[Cell]]:
    """One vehicle's day and cells from its pieces (those of other local days are ignored)."""
    days_since_epoch = (day - date(1970, 1, 1)).days
    mine = pieces.wall_ms // DAY_MS == days_since_epoch
    wall, dur = pieces.wall_ms[mine], pieces.dur_ms[mine]
    metres, cat, dist = pieces.metres[mine], pieces.category[mine], pieces.district[mine]
    kind = vehicle.kind.value if vehicle else UNKNOWN_KIND
    g = vehicle.co2_g_per_km if vehicle else 0.0
    sod = wall % DAY_MS
    hour = sod // HOUR_MS
    use = np.isin(cat, IN_USE)
    in_shift = float(_shift_overlap_ms(sod[use], dur[use], vehicle).sum()) / 1000.0
    shift_s = 0.0
    if vehicle is not None:
        shift_s = min(vehicle.shift_end_h - vehicle.shift_start_h, 24.0) * 3600.0
    secs = [float(dur[cat == c].sum()) / 1000.0 for c in range(4)]
    total = _usage(float(metres.sum()) / 1000.0, secs, g)
    cells: list[Cell] = []
    if len(wall):
        frame = pd.DataFrame({"d": dist, "h": hour, "c": cat, "s": dur / 1000.0, "m": metres})
        by = frame.groupby(["d", "h"], sort=True)
        for (d_name, h), grp in by:
            per = [float(grp.s[grp.c == c].sum()) for c in range(4)]
            km = float(grp.m.sum()) / 1000.0
            cells.append(Cell(name, kind, str(d_name), int(h), _usage(km, per, g)))
    return VehicleDay(name, kind, fixes, total, shift_s, in_shift), cells


def aggregate_day(
    day: date,
    traces: Traces,
    vehicles: Sequence[Vehicle],
    *,
    tz: str,
    districts: Districts,
    places: Places,
    key: str,
    params: AggregateParams | None = None,
) -> DayAggregates:
    """The local ``day`` (zone ``tz``) of ``vehicles`` (every one gets a row, used or not) and
    of any other vehicle in ``traces`` (kind ``unknown``). ``traces`` may reach past the day's
    midnights (a margin gives the first and last intervals their context); only time within
    the day counts. Vehicles are named by their keyed pseudonym."""
    p = params or AggregateParams()
    by_id = {v.vehicle_id: v for v in vehicles}
    ids = list(dict.fromkeys([*by_id, *traces.vehicle_ids]))
    index = {vid: i for i, vid in enumerate(traces.vehicle_ids)}
    order = np.argsort(traces.vehicle, kind="stable")
    bounds = np.searchsorted(traces.vehicle[order], np.arange(len(traces.vehicle_ids) + 1))
    lo, hi = day_window(day, tz)
    rows: list[VehicleDay] = []
    cells: list[Cell] = []
    for vid in ids:
        v = by_id.get(vid)
        kind = v.kind.value if v else UNKNOWN_KIND
        i = index.get(vid)
        sel = order[bounds[i] : bounds[i + 1]] if i is not None else order[:0]
        t = traces.t_s[sel]
        fixes = int(((t >= lo.timestamp()) & (t < hi.timestamp())).sum())
        pieces = vehicle_pieces(
            t,
            traces.lon[sel],
            traces.lat[sel],
            traces.speed_kmh[sel],
            kind,
            tz,
            districts,
            places,
            p,
        )
        row, mine = vehicle_day(day, pieces, fixes, pseudonym(key, vid), v)
        rows.append(row)
        cells += mine
    return DayAggregates(day, tz, p, tuple(rows), tuple(cells))
