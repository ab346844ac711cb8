"""The parking availability model and its predictions (pure; no file or database access).

P(at least one free space at site s, time T), given the site's latest count f0 at time t0:

    logit P = c0 + c1·logit(profile P(T)) + c2·log1p(profile free(T))
                 + c3·(f0/C − profile rate(t0)) + c4·(1[f0 = 0] − profile P(full)(t0))
                 + c5·(log1p(f0) − log1p(profile free(t0)))

then an isotonic recalibration per band of leads (``parking.recalibration``). The coefficients
c depend on the lead T − t0: they are fitted at a grid of leads and interpolated in log(1 + lead),
so the latest count dominates a few minutes ahead and fades into the time-of-week profile over
hours to days (as the deviation of a birth-death process decays with the turnover of parked
cars). c3, c5 ≥ 0 and c4 ≤ 0, so more free spaces observed now never lowers the probability.
Without a recent count only the profile terms act.

Expected free spaces: C·clip(profile rate(T) + a + b·(f0/C − profile rate(t0)), 0, 1), with a, b
fitted per lead by least absolute deviations (a median forecast).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from parking.logistic import expit
from parking.profiles import P_CLIP
from parking.recalibration import NO_CALIBRATION, LeadCalibrator
from parking.table import to_minutes, week_slot, week_slot_one

N_FEATURES = 6
COEF_BOUNDS: tuple[tuple[float | None, float | None], ...] = (
    (None, None),
    (None, None),
    (None, None),
    (0.0, None),
    (None, 0.0),
    (0.0, None),
)


@dataclass(frozen=True, slots=True)
class SiteInfo:
    """Site attributes the model serves with (aligned arrays)."""

    site_ids: tuple[str, ...]
    names: tuple[str, ...]
    kinds: tuple[str, ...]
    capacity: np.ndarray  # int
    lon: np.ndarray
    lat: np.ndarray


@dataclass(frozen=True, slots=True)
class ParkingModel:
    """A fitted model: profiles per site and slot, lead-dependent coefficients, calibrator."""

    sites: SiteInfo
    tz: str
    slot_min: int
    free_rate: np.ndarray  # (sites, slots)
    p_free: np.ndarray  # (sites, slots)
    own_weight: np.ndarray  # (sites, slots)
    lead_grid: np.ndarray  # (leads,) minutes
    coef: np.ndarray  # (leads, N_FEATURES)
    mean_coef: np.ndarray  # (leads, 2): a, b of the expected-free equation
    calibrator: LeadCalibrator = NO_CALIBRATION
    meta: dict[str, Any] = field(default_factory=dict)  # training window, metrics
    _index: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        n = len(self.sites.site_ids)
        if self.free_rate.shape != self.p_free.shape or self.free_rate.shape[0] != n:
            raise ValueError("profiles must be (sites, slots) and match the site list.")
        if self.coef.shape != (len(self.lead_grid), N_FEATURES):
            raise ValueError("coef must be (leads, 6).")
        if len(self.lead_grid) == 0 or np.any(np.diff(self.lead_grid) <= 0):
            raise ValueError("lead_grid must be non-empty and increasing.")
        self._index.update({s: i for i, s in enumerate(self.sites.site_ids)})

    def index_of(self, site_id: str) -> int:
        """Row of a site; ``KeyError`` naming it if the model does not know it."""
        try:
            return self._index[site_id]
        except KeyError:
            raise KeyError(f"unknown parking site {site_id!r}") from None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)


@dataclass(frozen=True, slots=True)
class ParkingForecast:
    """One site's forecast with the evidence behind it."""

    site_id: str
    p_free: float
    expected_free: float
    profile_p_free: float  # time-of-week profile alone, at the target slot
    profile_free: float
    profile_own_weight: float  # share of the site's own history (rest: similar sites)
    last_free: int | None
    lead_min: float | None  # target time minus the latest count's time
    state_weight: float  # how much of the latest deviation carries to the target (b)


def _interp_rows(grid: np.ndarray, table: np.ndarray, lead: np.ndarray) -> np.ndarray:
    """Coefficient rows interpolated in log1p(lead); clamped to the grid's ends."""
    g = np.log1p(grid)
    x = np.log1p(np.clip(lead, grid[0], grid[-1]))
    return np.stack([np.interp(x, g, table[:, j]) for j in range(table.shape[1])], axis=-1)


def _logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(p, P_CLIP, 1 - P_CLIP)
    return np.log(q / (1 - q))


def design(
    cap: np.ndarray,
    p_T: np.ndarray,
    rate_T: np.ndarray,
    p_0: np.ndarray,
    rate_0: np.ndarray,
    last_free: np.ndarray,
) -> np.ndarray:
    """Feature matrix (n, 6); NaN ``last_free`` means no usable count (state terms are zero)."""
    has = np.isfinite(last_free)
    f0 = np.where(has, last_free, 0.0)
    x = np.empty((len(cap), N_FEATURES))
    x[:, 0] = 1.0
    x[:, 1] = _logit(p_T)
    x[:, 2] = np.log1p(cap * rate_T)
    x[:, 3] = np.where(has, f0 / cap - rate_0, 0.0)
    x[:, 4] = np.where(has, (f0 == 0) - (1.0 - p_0), 0.0)
    x[:, 5] = np.where(has, np.log1p(f0) - np.log1p(cap * rate_0), 0.0)
    return x


def predict_slots(
    model: ParkingModel,
    site: np.ndarray,
    slot_T: np.ndarray,
    slot_0: np.ndarray,
    last_free: np.ndarray,
    lead: np.ndarray,
    calibrated: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """(P(free ≥ 1), expected free) for aligned arrays; ``lead`` in minutes (NaN: no count)."""
    cap = model.sites.capacity[site].astype(float)
    p_T, r_T = model.p_free[site, slot_T], model.free_rate[site, slot_T]
    p_0, r_0 = model.p_free[site, slot_0], model.free_rate[site, slot_0]
    has = np.isfinite(last_free) & np.isfinite(lead)
    lf = np.where(has, last_free, np.nan)
    x = design(cap, p_T, r_T, p_0, r_0, lf)
    lead_c = np.where(has, lead, model.lead_grid[-1])
    c = _interp_rows(model.lead_grid, model.coef, lead_c)
    p = expit((x * c).sum(axis=1))
    if calibrated:
        p = model.calibrator(p, lead_c)
    ab = _interp_rows(model.lead_grid, model.mean_coef, lead_c)
    rate = r_T + ab[:, 0] + np.where(has, ab[:, 1] * x[:, 3], 0.0)
    return p, cap * np.clip(rate, 0.0, 1.0)


def predict_times(
    model: ParkingModel,
    site: np.ndarray,
    target_min: np.ndarray,
    last_free: np.ndarray,
    last_min: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised forecast at epoch-minute targets from counts at epoch minutes (NaN: none)."""
    slot_T = week_slot(target_min, model.tz, model.slot_min)
    has = np.isfinite(last_min)
    slot_0 = np.where(
        has,
        week_slot(np.where(has, last_min, target_min).astype(np.int64), model.tz, model.slot_min),
        slot_T,
    )
    lead = np.where(has, target_min - np.where(has, last_min, 0), np.nan)
    return predict_slots(model, site, slot_T, slot_0, last_free, lead)


def forecast(
    model: ParkingModel,
    site_id: str,
    at: datetime,
    last_free: int | None = None,
    last_seen: datetime | None = None,
) -> ParkingForecast:
    """One site's forecast for time ``at``, explained; the latest count is optional."""
    i = model.index_of(site_id)
    slot_T = week_slot_one(at, model.zone, model.slot_min)
    has = last_free is not None and last_seen is not None
    slot_0 = week_slot_one(last_seen, model.zone, model.slot_min) if has else slot_T  # type: ignore[arg-type]
    lead = (to_minutes(at) - to_minutes(last_seen)) if has else float("nan")  # type: ignore[arg-type]
    if has and lead < 0:
        raise ValueError("last_seen must not be after the forecast time.")
    lf = np.array([float(last_free) if has else np.nan])  # type: ignore[arg-type]
    p, e = predict_slots(
        model,
        np.array([i]),
        np.array([slot_T]),
        np.array([slot_0]),
        lf,
        np.array([lead], dtype=float),
    )
    ab = _interp_rows(
        model.lead_grid, model.mean_coef, np.array([lead if has else model.lead_grid[-1]])
    )
    cap = int(model.sites.capacity[i])
    return ParkingForecast(
        site_id=site_id,
        p_free=float(p[0]),
        expected_free=float(e[0]),
        profile_p_free=float(model.p_free[i, slot_T]),
        profile_free=float(cap * model.free_rate[i, slot_T]),
        profile_own_weight=float(model.own_weight[i, slot_T]),
        last_free=last_free if has else None,
        lead_min=float(lead) if has else None,
        state_weight=float(ab[0, 1]) if has else 0.0,
    )
