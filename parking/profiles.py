"""Time-of-week occupancy profiles per site, shrunk toward similar sites (pure).

For each site and local time-of-week slot the profile holds the mean free-space rate
(free / capacity) and the share of observations with at least one free space. Raw slot means are
smoothed over neighbouring slots and shrunk toward a prior: the mean profile of the site's group
(sites of the same kind clustered by the shape of their weekly profile), shifted to the site's own
overall level. The weight of the site's own data is ``n / (n + kappa)`` where ``n`` counts the
distinct weeks observed in that slot, so sparse sites lean on their group.

Two options make profiles follow a level that moves (the December shift of real car parks):
``half_life_days`` weights each observation by 0.5 ** (age / half-life), its age counted from the
table's last observation, so recent weeks count more; ``level_days`` adds each site's mean
residual (observed rate minus profile) over the table's last days to its free-rate profile, a
level term that carries the latest shift forward.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from parking.table import WEEK_MIN, ObservationTable, week_slot

P_CLIP = 0.005


@dataclass(frozen=True, slots=True)
class ProfileConfig:
    """How profiles are built."""

    slot_min: int = 30
    kappa: float = 2.0  # pseudo-weeks of group prior
    smooth: tuple[float, ...] = (1.0, 2.0, 1.0)  # kernel over neighbouring slots
    max_groups: int = 6
    half_life_days: float | None = None  # None: every week counts the same
    level_days: float = 0.0  # 0: no level term
    level_ratio: bool = False  # the level scales occupancy (busy slots move most) instead of adding

    def __post_init__(self) -> None:
        if self.slot_min <= 0 or WEEK_MIN % self.slot_min:
            raise ValueError("slot_min must divide the week (10080 minutes).")
        if self.half_life_days is not None and not self.half_life_days > 0:
            raise ValueError("half_life_days must be positive (or None).")
        if self.level_days < 0:
            raise ValueError("level_days must be non-negative.")
        if self.kappa < 0:
            raise ValueError("kappa must be non-negative.")
        if len(self.smooth) % 2 == 0 or min(self.smooth) < 0:
            raise ValueError("smooth must be an odd-length non-negative kernel.")

    @property
    def n_slots(self) -> int:
        return WEEK_MIN // self.slot_min


@dataclass(frozen=True, slots=True)
class Profiles:
    """Shrunk profiles, shape (sites, slots); ``own_weight`` is the site's share in each slot."""

    free_rate: np.ndarray
    p_free: np.ndarray
    own_weight: np.ndarray
    group: np.ndarray  # (sites,) group index


def recency_weights(t_min: np.ndarray, half_life_days: float | None) -> np.ndarray:
    """0.5 ** (age / half-life) per row, age from the latest row; ones without a half-life."""
    if half_life_days is None or len(t_min) == 0:
        return np.ones(len(t_min))
    age_days = (t_min.max() - t_min) / 1440.0
    return np.power(0.5, age_days / half_life_days)


def slot_sums(
    table: ObservationTable,
    n_sites: int,
    tz: str,
    slot_min: int,
    slot: np.ndarray | None = None,
    half_life_days: float | None = None,
) -> tuple[np.ndarray, ...]:
    """Per (site, slot): weighted observation count, sum of free rate, count with free > 0,
    distinct weeks (unweighted).

    ``slot`` may pass the rows' precomputed time-of-week slots; ``half_life_days`` weights rows
    by recency (:func:`recency_weights`).
    """
    n_slots = WEEK_MIN // slot_min
    slot = week_slot(table.t_min, tz, slot_min) if slot is None else slot
    cell = table.site.astype(np.int64) * n_slots + slot
    size = n_sites * n_slots
    rate = table.free / np.maximum(table.capacity, 1)
    w = recency_weights(table.t_min, half_life_days)
    count = np.bincount(cell, weights=w, minlength=size)
    s_rate = np.bincount(cell, weights=w * rate, minlength=size)
    s_avail = np.bincount(cell, weights=w * (table.free > 0), minlength=size)
    week = (table.t_min // WEEK_MIN).astype(np.int64)
    distinct = np.unique(cell * 100_000 + (week - week.min() if len(week) else week))
    weeks = np.bincount(distinct // 100_000, minlength=size).astype(float)
    shape = (n_sites, n_slots)
    return count.reshape(shape), s_rate.reshape(shape), s_avail.reshape(shape), weeks.reshape(shape)


def _circular_smooth(x: np.ndarray, kernel: Sequence[float]) -> np.ndarray:
    half = len(kernel) // 2
    out = np.zeros_like(x)
    for j, w in enumerate(kernel):
        out += w * np.roll(x, j - half, axis=-1)
    return out


def _kmeans(x: np.ndarray, k: int, iters: int = 15) -> np.ndarray:
    """Deterministic k-means (initial centres spread over the sites' mean level)."""
    if k <= 1 or len(x) <= k:
        return np.zeros(len(x), dtype=np.int32) if k <= 1 else np.arange(len(x), dtype=np.int32)
    order = np.argsort(x.mean(axis=1))
    centres = x[order[np.linspace(0, len(x) - 1, k).astype(int)]].copy()
    label = np.zeros(len(x), dtype=np.int32)
    for _ in range(iters):
        d = ((x[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        label = d.argmin(axis=1).astype(np.int32)
        for j in range(k):
            if (label == j).any():
                centres[j] = x[label == j].mean(axis=0)
    return label


def build_profiles(
    table: ObservationTable,
    kinds: Sequence[str],
    tz: str,
    config: ProfileConfig,
    slot: np.ndarray | None = None,
) -> Profiles:
    """Profiles for every site in ``table.site_ids`` (``kinds`` aligned with them)."""
    with warnings.catch_warnings():
        warnings.simplefilter(
            "ignore", RuntimeWarning
        )  # all-NaN slots (never observed) are expected
        return _build(table, kinds, tz, config, slot)


def _build(
    table: ObservationTable,
    kinds: Sequence[str],
    tz: str,
    config: ProfileConfig,
    slot: np.ndarray | None,
) -> Profiles:
    n_sites = len(table.site_ids)
    slot = week_slot(table.t_min, tz, config.slot_min) if slot is None else slot
    count, s_rate, s_avail, weeks = slot_sums(
        table, n_sites, tz, config.slot_min, slot, config.half_life_days
    )
    c_sm = _circular_smooth(count, config.smooth)
    with np.errstate(invalid="ignore", divide="ignore"):
        own_rate = _circular_smooth(s_rate, config.smooth) / c_sm
        own_p = _circular_smooth(s_avail, config.smooth) / c_sm
        site_rate = s_rate.sum(1) / count.sum(1)
        site_p = s_avail.sum(1) / count.sum(1)
    kinds_arr = np.asarray(kinds)
    global_rate = np.nanmean(site_rate) if np.isfinite(site_rate).any() else 0.5
    global_p = np.nanmean(site_p) if np.isfinite(site_p).any() else 0.5
    site_rate = np.where(np.isfinite(site_rate), site_rate, global_rate)
    site_p = np.where(np.isfinite(site_p), site_p, global_p)

    group = np.zeros(n_sites, dtype=np.int32)
    prior_rate = np.empty_like(own_rate)
    prior_p = np.empty_like(own_p)
    next_group = 0
    for kind in np.unique(kinds_arr):
        members = np.flatnonzero(kinds_arr == kind)
        shape = own_rate[members] - site_rate[members, None]
        col_mean = (
            np.nanmean(np.where(np.isfinite(shape), shape, np.nan), axis=0) if len(members) else 0
        )
        col_mean = np.where(np.isfinite(col_mean), col_mean, 0.0)
        filled = np.where(np.isfinite(shape), shape, col_mean)
        k = int(np.clip(len(members) // 8, 1, config.max_groups))
        labels = _kmeans(filled, k)
        for j in np.unique(labels):
            idx = members[labels == j]
            g_shape = np.nanmean(
                np.where(np.isfinite(own_rate[idx]), own_rate[idx] - site_rate[idx, None], np.nan),
                axis=0,
            )
            g_lp = np.nanmean(
                np.where(
                    np.isfinite(own_p[idx]), _logit(own_p[idx]) - _logit(site_p[idx, None]), np.nan
                ),
                axis=0,
            )
            g_shape = np.where(np.isfinite(g_shape), g_shape, 0.0)
            g_lp = np.where(np.isfinite(g_lp), g_lp, 0.0)
            prior_rate[idx] = np.clip(site_rate[idx, None] + g_shape[None, :], 0.0, 1.0)
            prior_p[idx] = _expit(_logit(site_p[idx, None]) + g_lp[None, :])
            group[idx] = next_group
            next_group += 1

    w = weeks / (weeks + config.kappa) if config.kappa > 0 else (weeks > 0).astype(float)
    w = np.where(np.isfinite(own_rate), w, 0.0)
    free_rate = w * np.nan_to_num(own_rate) + (1 - w) * prior_rate
    p_free = w * np.nan_to_num(own_p) + (1 - w) * prior_p
    if config.level_days > 0 and config.level_ratio:
        occ = 1.0 - free_rate
        free_rate = np.clip(1.0 - occ * _occupancy_ratio(table, occ, slot, config)[:, None], 0, 1)
    elif config.level_days > 0:
        free_rate = np.clip(free_rate + _level(table, free_rate, slot, config)[:, None], 0, 1)
    return Profiles(
        free_rate.astype(np.float32), p_free.astype(np.float32), w.astype(np.float32), group
    )


def _level(
    table: ObservationTable, free_rate: np.ndarray, slot: np.ndarray, config: ProfileConfig
) -> np.ndarray:
    """Per site: mean observed minus profile free rate over the table's last ``level_days``."""
    n_sites = free_rate.shape[0]
    if len(table) == 0:
        return np.zeros(n_sites)
    recent = table.t_min > table.t_min.max() - config.level_days * 1440
    site = table.site[recent]
    resid = (
        table.free[recent] / np.maximum(table.capacity[recent], 1) - free_rate[site, slot[recent]]
    )
    n = np.bincount(site, minlength=n_sites)
    total = np.bincount(site, weights=resid, minlength=n_sites)
    return np.where(n > 0, total / np.maximum(n, 1), 0.0)


def _occupancy_ratio(
    table: ObservationTable, occ: np.ndarray, slot: np.ndarray, config: ProfileConfig
) -> np.ndarray:
    """Per site: observed over profile occupancy, summed over the table's last ``level_days``
    (busy slots weigh most); 1 where the site has no recent observation."""
    n_sites = occ.shape[0]
    if len(table) == 0:
        return np.ones(n_sites)
    recent = table.t_min > table.t_min.max() - config.level_days * 1440
    site = table.site[recent]
    seen = 1.0 - table.free[recent] / np.maximum(table.capacity[recent], 1)
    obs = np.bincount(site, weights=np.clip(seen, 0, 1), minlength=n_sites)
    exp = np.bincount(site, weights=occ[site, slot[recent]], minlength=n_sites)
    return np.where(exp > 1e-6, obs / np.maximum(exp, 1e-6), 1.0)


def _logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(p, P_CLIP, 1 - P_CLIP)
    return np.log(q / (1 - q))


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))
