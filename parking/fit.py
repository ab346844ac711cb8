"""Fitting the parking model from an observation table (pure).

Training pairs mirror how the model is used: a target count at time T and the site's latest count
at least ``lead`` minutes earlier. Profile features for a target come from profiles built without
the target's week (cross-fitting), so the coefficients learn how far an out-of-sample profile can
be trusted. Recalibration: the model is first fitted on all but the last ``val_days`` of the
window, isotonic maps are fitted on its forecasts for those days (one per band of leads, split at
``calibration_bands`` minutes, and a pooled one for bands with fewer than ``min_band_samples``
forecasts), then the model is refitted on the whole window and keeps those maps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from parking.isotonic import expected_calibration_error
from parking.logistic import fit_logistic
from parking.model import COEF_BOUNDS, ParkingModel, SiteInfo, design, predict_times
from parking.profiles import ProfileConfig, Profiles, build_profiles
from parking.recalibration import NO_CALIBRATION, fit_lead_calibrator
from parking.table import ObservationTable, from_minutes, last_before, week_slot

DEFAULT_LEADS = (
    5,
    10,
    15,
    20,
    30,
    45,
    60,
    90,
    120,
    180,
    240,
    360,
    480,
    720,
    1080,
    1440,
    2160,
    2880,
    4320,
    7200,
)
# upper ends (minutes) of the recalibration's lead bands: they group the default lead grid into
# {5}, {10}, {15, 20, 30}, {45 … 120}, {180 … 720}, {1080 … 2160} and {2880 … 7200}; the two
# shortest leads, where the latest count's weight changes fastest, get a band each
DEFAULT_CALIBRATION_BANDS = (5, 10, 30, 120, 720, 2160)
FOLD_MIN = 7 * 1440


@dataclass(frozen=True, slots=True)
class FitConfig:
    """Training options; validated at construction."""

    profile: ProfileConfig = field(default_factory=ProfileConfig)
    leads: tuple[int, ...] = DEFAULT_LEADS
    pairs_per_lead: int = 60_000
    min_pairs: int = 200
    calibrate: bool = True
    val_days: float = 7.0
    calibration_bands: tuple[int, ...] = DEFAULT_CALIBRATION_BANDS  # () : one pooled map
    min_band_samples: int = 5000
    seed: int = 0

    def __post_init__(self) -> None:
        if not self.leads or any(b <= a for a, b in zip(self.leads, self.leads[1:], strict=False)):
            raise ValueError("leads must be non-empty and strictly increasing.")
        if self.leads[0] <= 0:
            raise ValueError("leads must be positive minutes.")
        if self.pairs_per_lead < self.min_pairs:
            raise ValueError("pairs_per_lead must be at least min_pairs.")
        if self.val_days <= 0:
            raise ValueError("val_days must be positive.")
        b = self.calibration_bands
        if any(e <= 0 for e in b) or any(y <= x for x, y in zip(b, b[1:], strict=False)):
            raise ValueError("calibration_bands must be positive and strictly increasing.")
        if self.min_band_samples <= 0:
            raise ValueError("min_band_samples must be positive.")


@dataclass(frozen=True, slots=True)
class Pairs:
    """Training pairs: target row, latest-count row, grid lead they were drawn for."""

    target: np.ndarray
    last: np.ndarray
    lead: np.ndarray


def draw_pairs(
    table: ObservationTable, leads: Sequence[int], per_lead: int, rng: np.random.Generator
) -> Pairs:
    """For each grid lead L, targets with a count at most ~1.5·L + 30 min older than T − L."""
    targets, lasts, grid = [], [], []
    n = len(table)
    for lead in leads:
        j = rng.choice(n, size=min(per_lead, n), replace=False) if n else np.zeros(0, int)
        i = last_before(table, table.site[j], table.t_min[j] - lead, strict=False)
        ok = i >= 0
        ok[ok] &= table.t_min[j[ok]] - table.t_min[i[ok]] <= 1.5 * lead + 30
        targets.append(j[ok])
        lasts.append(i[ok])
        grid.append(np.full(ok.sum(), lead))
    return Pairs(np.concatenate(targets), np.concatenate(lasts), np.concatenate(grid))


def _fold(t_min: np.ndarray, start: int) -> np.ndarray:
    return ((t_min - start) // FOLD_MIN).astype(np.int64)


def fit_uncalibrated(
    table: ObservationTable, sites: SiteInfo, tz: str, config: FitConfig
) -> ParkingModel:
    """Profiles on the whole table; coefficients on cross-fitted pairs; no recalibration."""
    if len(table) == 0:
        raise ValueError("cannot fit a parking model without observations.")
    rng = np.random.default_rng(config.seed)
    pc = config.profile
    pairs = draw_pairs(table, config.leads, config.pairs_per_lead, rng)
    start = int(table.t_min.min())
    folds = _fold(table.t_min, start)
    fold_of_pair = folds[pairs.target]
    p_T = np.empty(len(pairs.target))
    r_T, p_0, r_0 = np.empty_like(p_T), np.empty_like(p_T), np.empty_like(p_T)
    slot_T = week_slot(table.t_min[pairs.target], tz, pc.slot_min)
    slot_0 = week_slot(table.t_min[pairs.last], tz, pc.slot_min)
    site = table.site[pairs.target]
    unique_folds = np.unique(folds)
    all_slots = week_slot(table.t_min, tz, pc.slot_min)
    for f in unique_folds:
        keep = folds != f if len(unique_folds) > 1 else np.ones(len(table), bool)
        sub = ObservationTable(
            table.site_ids,
            table.site[keep],
            table.t_min[keep],
            table.free[keep],
            table.capacity[keep],
        )
        prof = build_profiles(sub, sites.kinds, tz, pc, all_slots[keep])
        m = fold_of_pair == f
        p_T[m], r_T[m] = prof.p_free[site[m], slot_T[m]], prof.free_rate[site[m], slot_T[m]]
        p_0[m], r_0[m] = prof.p_free[site[m], slot_0[m]], prof.free_rate[site[m], slot_0[m]]
    cap = sites.capacity[site].astype(float)
    x = design(cap, p_T, r_T, p_0, r_0, table.free[pairs.last].astype(float))
    y = (table.free[pairs.target] > 0).astype(float)
    resid = table.free[pairs.target] / cap - r_T
    grid, coefs, means = [], [], []
    for lead in config.leads:
        m = pairs.lead == lead
        if m.sum() < config.min_pairs:
            continue
        grid.append(lead)
        coefs.append(fit_logistic(x[m], y[m], COEF_BOUNDS))
        means.append(_fit_mean(x[m, 3], resid[m]))
    if not grid:
        raise ValueError("too few observation pairs to fit any lead; need more history.")
    full: Profiles = build_profiles(table, sites.kinds, tz, pc, all_slots)
    meta = {
        "train_start": from_minutes(int(table.t_min.min())).isoformat(),
        "train_end": from_minutes(int(table.t_min.max())).isoformat(),
        "n_observations": int(len(table)),
        "n_sites": len(sites.site_ids),
        "profile_options": {
            "half_life_days": pc.half_life_days,
            "level_days": pc.level_days,
            "smooth": list(pc.smooth),
            "kappa": pc.kappa,
        },
    }
    return ParkingModel(
        sites,
        tz,
        pc.slot_min,
        full.free_rate,
        full.p_free,
        full.own_weight,
        np.array(grid, dtype=float),
        np.array(coefs),
        np.array(means),
        NO_CALIBRATION,
        meta,
    )


def _fit_mean(dev0: np.ndarray, resid: np.ndarray) -> tuple[float, float]:
    """Least absolute deviations resid ≈ a + b·dev0 over b in [0, 1] (MAE is what is reported)."""
    best = (np.inf, 0.0, 0.0)
    for b in np.linspace(0.0, 1.0, 51):
        r = resid - b * dev0
        a = float(np.median(r))
        loss = float(np.abs(r - a).mean())
        if loss < best[0]:
            best = (loss, a, float(b))
    return best[1], best[2]


def fit_model(
    table: ObservationTable, sites: SiteInfo, tz: str, config: FitConfig | None = None
) -> ParkingModel:
    """The served model: fitted on the whole table, recalibrated on a held-out final stretch."""
    config = config or FitConfig()
    model = fit_uncalibrated(table, sites, tz, config)
    if not config.calibrate or len(table) == 0:
        return model
    end = int(table.t_min.max()) + 1
    split = end - int(config.val_days * 1440)
    early = table.between(int(table.t_min.min()), split)
    if len(early) == 0 or split - int(table.t_min.min()) < 7 * 1440:
        return replace(model, meta={**model.meta, "calibration": "skipped: window too short"})
    early_model = fit_uncalibrated(early, sites, tz, config)  # raw forecasts
    rng = np.random.default_rng(config.seed + 1)
    val = np.flatnonzero(table.t_min >= split)
    p_raw, y, leads = [], [], []
    for lead in early_model.lead_grid:
        j = rng.choice(val, size=min(config.pairs_per_lead // 2, len(val)), replace=False)
        i = last_before(table, table.site[j], table.t_min[j] - int(lead), strict=False)
        lf = np.where(i >= 0, table.free[i], np.nan).astype(float)
        lm = np.where(i >= 0, table.t_min[i], np.nan).astype(float)
        p, _ = predict_times(early_model, table.site[j], table.t_min[j], lf, lm)
        p_raw.append(p)
        y.append(table.free[j] > 0)
        # the lead the calibrator sees when serving (no count: the longest grid lead)
        leads.append(np.where(i >= 0, table.t_min[j] - lm, early_model.lead_grid[-1]))
    pr, yy, ll = np.concatenate(p_raw), np.concatenate(y).astype(float), np.concatenate(leads)
    cal = fit_lead_calibrator(pr, yy, ll, config.calibration_bands, config.min_band_samples)
    meta = {
        **model.meta,
        "calibration": f"isotonic per lead band on the last {config.val_days:.1f} days",
        "calibration_bands_min": list(config.calibration_bands),
        "calibration_band_samples": list(cal.band_samples),
        "calibration_band_pooled": [n < config.min_band_samples for n in cal.band_samples],
        "val_ece_raw": expected_calibration_error(pr, yy),
        "val_ece_calibrated": expected_calibration_error(cal(pr, ll), yy),
    }
    return replace(model, calibrator=cal, meta=meta)
