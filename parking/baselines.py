"""Reference forecasts the model must beat (pure).

* historical: the site's raw mean over the training data in the same local time-of-week slot
  (share of observations with a free space; mean free count), the site's overall mean if the
  slot was never observed;
* last: the latest count carried forward (probability 1 if it showed a free space, else 0);
* week: the count in the same slot one week earlier (the Birmingham literature's reference).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from parking.profiles import slot_sums
from parking.table import WEEK_MIN, ObservationTable, last_before, week_slot


@dataclass(frozen=True, slots=True)
class HistoricalAverage:
    """Raw time-of-week means per (site, slot)."""

    tz: str
    slot_min: int
    p_free: np.ndarray
    mean_free: np.ndarray

    def predict(self, site: np.ndarray, target_min: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        slot = week_slot(target_min, self.tz, self.slot_min)
        return self.p_free[site, slot], self.mean_free[site, slot]


def fit_historical(table: ObservationTable, tz: str, slot_min: int) -> HistoricalAverage:
    """Slot means of the training table; unobserved slots take the site mean (or 0.5 / 0)."""
    n = len(table.site_ids)
    count, _, s_avail, _ = slot_sums(table, n, tz, slot_min)
    cell = table.site.astype(np.int64) * (WEEK_MIN // slot_min) + week_slot(
        table.t_min, tz, slot_min
    )
    s_free = np.bincount(cell, weights=table.free.astype(float), minlength=count.size).reshape(
        count.shape
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        p = s_avail / count
        f = s_free / count
        site_p = s_avail.sum(1) / count.sum(1)
        site_f = s_free.sum(1) / count.sum(1)
    site_p = np.nan_to_num(site_p, nan=0.5)
    site_f = np.nan_to_num(site_f, nan=0.0)
    p = np.where(count > 0, p, site_p[:, None])
    f = np.where(count > 0, f, site_f[:, None])
    return HistoricalAverage(tz, slot_min, p, f)


def last_value(table: ObservationTable, last: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Persistence forecast from latest-count rows (``last`` ≥ 0)."""
    free = table.free[last].astype(float)
    return (free > 0).astype(float), free


def week_earlier(
    table: ObservationTable, site: np.ndarray, target_min: np.ndarray, tolerance: int = 20
) -> np.ndarray:
    """Row of the count within ``tolerance`` minutes of one week before each target, -1 if none."""
    i = last_before(table, site, target_min - WEEK_MIN + tolerance, strict=False)
    ok = i >= 0
    ok[ok] &= table.t_min[i[ok]] >= target_min[ok] - WEEK_MIN - tolerance
    return np.where(ok, i, -1)
