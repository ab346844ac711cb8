"""The hour-of-week profile and the *effective clock* it defines. Pure.

A weekly profile is a multiplicative fill intensity per hour of the week (mean 1). The effective
clock ``H(t)`` runs faster in busy hours and slower in quiet ones, so a bin's level grows
linearly in ``H``. Times are local wall-clock hours since a Monday 00:00 epoch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

WEEK_H = 168
_EPOCH = datetime(2000, 1, 3)  # a Monday, local wall clock; hour-of-week 0 = Monday 00:00
MIN_WEIGHT = 0.02  # floor of a profile slot, keeps the effective clock strictly increasing


@dataclass(frozen=True, slots=True)
class WeeklyProfile:
    """Multiplicative hour-of-week fill intensity, mean 1 (slot 0 = Monday 00:00-01:00)."""

    weights: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.weights) != WEEK_H or min(self.weights) <= 0:
            raise ValueError("a weekly profile has 168 positive weights.")

    @staticmethod
    def flat() -> WeeklyProfile:
        return WeeklyProfile((1.0,) * WEEK_H)

    @staticmethod
    def from_array(w: np.ndarray) -> WeeklyProfile:
        w = np.maximum(np.asarray(w, dtype=float), MIN_WEIGHT)
        return WeeklyProfile(tuple((w * WEEK_H / w.sum()).tolist()))

    def cumulative(self) -> np.ndarray:
        """Effective hours elapsed at the start of each slot (169 values, last = 168)."""
        return np.concatenate([[0.0], np.cumsum(self.weights)])


def local_hours(t: datetime, zone: ZoneInfo) -> float:
    if t.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    local = t.astimezone(zone).replace(tzinfo=None)
    return (local - _EPOCH).total_seconds() / 3600.0


def local_hours_array(utc_s: np.ndarray, tz: str) -> np.ndarray:
    idx = pd.to_datetime(utc_s, unit="s", utc=True).tz_convert(tz).tz_localize(None)
    unit = {"ns": 1e9, "us": 1e6, "ms": 1e3, "s": 1.0}[idx.unit]
    local_s = idx.asi8.astype(np.float64) / unit
    return (local_s - (_EPOCH - datetime(1970, 1, 1)).total_seconds()) / 3600.0


def from_local_hours(h: float, zone: ZoneInfo) -> datetime:
    return (_EPOCH + timedelta(hours=h)).replace(tzinfo=zone).astimezone(UTC)


def effective_clock(h: np.ndarray, cum: np.ndarray, row: np.ndarray) -> np.ndarray:
    """Effective clock H at local hours ``h``, using profile row ``row`` of ``cum`` (n x 169)."""
    weeks = np.floor(h / WEEK_H)
    rem = h - weeks * WEEK_H
    slot = np.minimum(rem.astype(np.int64), WEEK_H - 1)
    frac = rem - slot
    c = cum[row, slot]
    w = cum[row, slot + 1] - c
    return weeks * WEEK_H + c + w * frac


def inverse_effective_clock(e: np.ndarray, cum: np.ndarray, row: np.ndarray) -> np.ndarray:
    """Local hours at which the effective clock reaches ``e`` (vectorised over rows)."""
    weeks = np.floor(e / WEEK_H)
    rem = e - weeks * WEEK_H
    offset = 2.0 * WEEK_H
    flat = (cum + offset * np.arange(cum.shape[0])[:, None]).ravel()
    pos = np.searchsorted(flat, rem + offset * row, side="right") - 1 - row * (WEEK_H + 1)
    slot = np.clip(pos, 0, WEEK_H - 1)
    c = cum[row, slot]
    w = cum[row, slot + 1] - c
    return weeks * WEEK_H + slot + (rem - c) / w


def overlap_hours(
    t0: np.ndarray, t1: np.ndarray, weight: np.ndarray, group: np.ndarray, n_groups: int
) -> np.ndarray:
    """Sum over intervals of weight x hours spent in each hour-of-week slot, per group."""
    out = np.zeros((n_groups, WEEK_H))
    for t, sign in ((t1, 1.0), (t0, -1.0)):
        weeks = np.floor(t / WEEK_H)
        rem = t - weeks * WEEK_H
        slot = np.minimum(rem.astype(np.int64), WEEK_H - 1)
        frac = rem - slot
        key = group * WEEK_H + slot
        size = n_groups * WEEK_H
        full = np.bincount(key, weight, size).reshape(n_groups, WEEK_H)
        part = np.bincount(key, weight * frac, size).reshape(n_groups, WEEK_H)
        # time before t in slot s: whole weeks + 1 if s < slot(t) + frac if s == slot(t)
        after = np.cumsum(full[:, ::-1], axis=1)[:, ::-1] - full  # entries with slot(t) > s
        per_week = np.bincount(group, weight * weeks, n_groups)[:, None]
        out += sign * (per_week + after + part)
    return out
