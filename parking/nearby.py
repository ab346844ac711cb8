"""Answering "where can I park near here at that time?" over a loaded model (pure).

Sites within ``radius_m`` (straight line) of the query point are forecast for the arrival time,
using each site's latest count if it is not newer than the arrival time. They are ranked by
``p_free · exp(−walk_m / walk_scale_m)``: a likely space a little further away beats an unlikely
one at the door. The best bet is the nearest site whose probability reaches ``target_p``; if
none does, the top-ranked site. Walking distance is the straight line times a detour factor.
Nothing here logs or stores the query point.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from core.records import ParkingObservation
from parking.model import ParkingModel, predict_slots
from parking.table import from_minutes, to_minutes, week_slot_one

EARTH_M = 6_371_000.0


@dataclass(frozen=True, slots=True)
class LatestCounts:
    """Each model site's latest count (NaN where there is none), aligned with the model's sites."""

    free: np.ndarray
    t_min: np.ndarray


def latest_counts(model: ParkingModel, observations: Iterable[ParkingObservation]) -> LatestCounts:
    """Latest count per known site; observations of unknown sites are ignored."""
    n = len(model.sites.site_ids)
    free, t_min = np.full(n, np.nan), np.full(n, np.nan)
    for o in observations:
        i = model._index.get(o.site_id)
        if i is None:
            continue
        m = to_minutes(o.observed_at)
        if not m <= t_min[i]:  # NaN or older
            free[i], t_min[i] = min(o.free, int(model.sites.capacity[i])), m
    return LatestCounts(free, t_min)


@dataclass(frozen=True, slots=True)
class QueryOptions:
    """Ranking parameters; validated at construction."""

    limit: int = 10
    target_p: float = 0.8
    walk_scale_m: float = 400.0
    detour: float = 1.3
    walk_m_per_min: float = 80.0

    def __post_init__(self) -> None:
        if self.limit <= 0:
            raise ValueError("limit must be positive.")
        if not 0.0 < self.target_p <= 1.0:
            raise ValueError("target_p must be in (0, 1].")
        if self.walk_scale_m <= 0 or self.detour < 1.0 or self.walk_m_per_min <= 0:
            raise ValueError("walk_scale_m and walk_m_per_min must be positive, detour >= 1.")


@dataclass(frozen=True, slots=True)
class Candidate:
    """One ranked site."""

    site_id: str
    name: str
    kind: str
    lon: float
    lat: float
    walk_m: float
    walk_min: float
    p_free: float
    expected_free: float
    score: float
    last_free: int | None
    lead_min: float | None


@dataclass(frozen=True, slots=True)
class ParkingAnswer:
    """Ranked candidates and the suggestion."""

    at: datetime
    candidates: tuple[Candidate, ...]
    best_bet: Candidate | None
    reason: str


def nearby(
    model: ParkingModel,
    lon: float,
    lat: float,
    radius_m: float,
    at: datetime,
    latest: LatestCounts | None = None,
    options: QueryOptions | None = None,
) -> ParkingAnswer:
    """Sites within ``radius_m`` of (lon, lat), ranked for arrival at ``at``, with a best bet."""
    opts = options or QueryOptions()
    if radius_m <= 0 or not (math.isfinite(lon) and math.isfinite(lat)):
        raise ValueError("radius_m must be positive and the point finite.")
    s = model.sites
    k = math.cos(math.radians(lat))
    dx = np.radians(s.lon - lon) * k * EARTH_M
    dy = np.radians(s.lat - lat) * EARTH_M
    dist = np.hypot(dx, dy)
    idx = np.flatnonzero(dist <= radius_m)  # NaN coordinates never match
    if len(idx) == 0:
        return ParkingAnswer(at, (), None, f"no parking sites within {radius_m:.0f} m")
    target = to_minutes(at)
    slot_T = week_slot_one(at, model.zone, model.slot_min)
    if latest is not None:
        lf, lt = latest.free[idx], latest.t_min[idx]
        usable = np.isfinite(lt) & (lt <= target)
        lf, lt = np.where(usable, lf, np.nan), np.where(usable, lt, np.nan)
        slot_0 = _slots_of(model, lt, slot_T)
    else:
        lf = lt = np.full(len(idx), np.nan)
        slot_0 = np.full(len(idx), slot_T)
    p, e = predict_slots(model, idx, np.full(len(idx), slot_T), slot_0, lf, target - lt)
    walk = dist[idx] * opts.detour
    score = p * np.exp(-walk / opts.walk_scale_m)
    order = np.argsort(-score, kind="stable")[: opts.limit]
    cands = tuple(
        Candidate(
            s.site_ids[i],
            s.names[i],
            s.kinds[i],
            float(s.lon[i]),
            float(s.lat[i]),
            float(walk[j]),
            float(walk[j] / opts.walk_m_per_min),
            float(p[j]),
            float(e[j]),
            float(score[j]),
            None if math.isnan(lf[j]) else int(lf[j]),
            None if math.isnan(lt[j]) else float(target - lt[j]),
        )
        for j in order
        for i in (int(idx[j]),)
    )
    good = [c for c in cands if c.p_free >= opts.target_p]
    if good:
        best = min(good, key=lambda c: c.walk_m)
        reason = (
            f"nearest site with P(free) >= {opts.target_p:.0%}: "
            f"{best.p_free:.0%}, {best.walk_min:.0f} min walk"
        )
    else:
        best = cands[0]
        reason = f"no site reaches {opts.target_p:.0%}; highest-ranked is {best.p_free:.0%}"
    return ParkingAnswer(at, cands, best, reason)


def _slots_of(model: ParkingModel, t_min: np.ndarray, default: int) -> np.ndarray:
    """Time-of-week slots of epoch minutes (few distinct values in practice: cached per call)."""
    out = np.full(len(t_min), default, dtype=np.int64)
    cache: dict[float, int] = {}
    for j, m in enumerate(t_min):
        if math.isfinite(m):
            if m not in cache:
                cache[m] = week_slot_one(from_minutes(int(m)), model.zone, model.slot_min)
            out[j] = cache[m]
    return out
