"""The published car-park protocol (Camero et al., LION 12, 2018; Stolfi et al. 2017) (pure).

Readings are rounded to the nearest half hour and averaged per car park and slot; the occupancy
rate is occupancy / capacity clipped to [0, 1] (free spaces are already clipped at 0, so a count
above capacity is a rate of 1, "full"). From an origin, every slot of a daily window (08:00-16:30
local) on the next ``days`` local dates is forecast blind; the score is the MAE of the occupancy
rate per car park over its observed slots, averaged over the car parks observed both before and
after the origin. The reference is the one-week seasonal naive: the same slot a week earlier.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from parking.table import WEEK_MIN, ObservationTable, build_table


@dataclass(frozen=True, slots=True)
class SlotSeries:
    """Slot-averaged occupancy rates, sorted by (site, slot start); ``site`` indexes site_ids."""

    site_ids: tuple[str, ...]
    site: np.ndarray  # int32
    t_min: np.ndarray  # slot start, epoch minutes (UTC)
    rate: np.ndarray  # occupancy rate in [0, 1]

    def __len__(self) -> int:
        return len(self.site)

    def before(self, end_min: int) -> SlotSeries:
        """Slots starting at or before ``end_min`` (the training period up to an origin)."""
        keep = self.t_min <= end_min
        return SlotSeries(self.site_ids, self.site[keep], self.t_min[keep], self.rate[keep])


def slot_average(table: ObservationTable, slot_min: int = 30) -> SlotSeries:
    """Round each count to the nearest slot, average the occupancy rates within a slot."""
    rounded = (table.t_min + slot_min // 2) // slot_min * slot_min
    rate = np.clip(1.0 - table.free / np.maximum(table.capacity, 1), 0.0, 1.0)
    df = pd.DataFrame({"site": table.site, "t": rounded, "rate": rate})
    mean = df.groupby(["site", "t"], sort=True)["rate"].mean()
    site = mean.index.get_level_values(0).to_numpy(np.int32)
    t = mean.index.get_level_values(1).to_numpy(np.int64)
    return SlotSeries(table.site_ids, site, t, mean.to_numpy(float))


def to_table(series: SlotSeries, capacity: np.ndarray) -> ObservationTable:
    """Slot averages as observations at the slot starts (free spaces rounded to whole spaces)."""
    cap = np.asarray(capacity, np.int64)[series.site]
    free = np.clip(np.rint(cap * (1.0 - series.rate)), 0, cap)
    ids = np.asarray(series.site_ids, dtype=object)[series.site]
    return build_table(series.site_ids, ids, series.t_min, free, cap)


def window_rows(
    series: SlotSeries,
    origin_min: int,
    tz: str,
    days: int = 7,
    first_min: int = 8 * 60,
    last_min: int = 16 * 60 + 30,
) -> np.ndarray:
    """Rows in the window: the ``days`` local dates after the origin's, local time within
    [first, last] (minutes of the day)."""
    local = pd.DatetimeIndex(pd.to_datetime(series.t_min * 60, unit="s", utc=True)).tz_convert(tz)
    origin = pd.Timestamp(origin_min * 60, unit="s", tz="UTC").tz_convert(tz)
    day = (local.normalize() - origin.normalize()).days.to_numpy()
    minute = local.hour.to_numpy() * 60 + local.minute.to_numpy()
    return (
        (series.t_min > origin_min)
        & (day >= 1)
        & (day <= days)
        & (minute >= first_min)
        & (minute <= last_min)
    )


def seasonal_naive(
    train: SlotSeries, site: np.ndarray, t_min: np.ndarray, max_weeks: int = 52
) -> np.ndarray:
    """The rate in the same slot one week earlier; where that slot is missing, the latest earlier
    week that has it (up to ``max_weeks``); else the site's mean."""
    key = train.site.astype(np.int64) * (1 << 40) + train.t_min
    out = np.full(len(site), np.nan)
    for weeks in range(1, max_weeks + 1):
        q = site.astype(np.int64) * (1 << 40) + t_min - weeks * WEEK_MIN
        i = np.clip(np.searchsorted(key, q), 0, max(len(key) - 1, 0))
        hit = (key[i] == q) if len(key) else np.zeros(len(q), bool)
        out = np.where(np.isnan(out) & hit, train.rate[i] if len(key) else np.nan, out)
    n = np.bincount(train.site, minlength=len(train.site_ids))
    mean = np.bincount(train.site, weights=train.rate, minlength=len(n)) / np.maximum(n, 1)
    return np.where(np.isnan(out), mean[site], out)


def sites_in_both(train: SlotSeries, test_site: np.ndarray) -> np.ndarray:
    """Site indices observed before the origin and in the test window."""
    return np.intersect1d(np.unique(train.site), np.unique(test_site))


def mae_per_site(pred: np.ndarray, truth: np.ndarray, site: np.ndarray, sites: np.ndarray) -> float:
    """MAE over each site's rows, averaged over ``sites`` (every car park counts the same)."""
    err = np.abs(np.asarray(pred, float) - np.asarray(truth, float))
    return float(np.mean([err[site == s].mean() for s in sites]))
