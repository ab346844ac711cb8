"""Columnar view of parking observations, and the "latest observation before" lookup (pure).

Times are integer minutes since the Unix epoch (UTC). Local time-of-week slots use the city's
time zone, so profiles follow the clock people live by across daylight-saving changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from core.records import ParkingObservation

WEEK_MIN = 7 * 1440


@dataclass(frozen=True, slots=True)
class ObservationTable:
    """Observations sorted by (site, time); ``site`` indexes ``site_ids``."""

    site_ids: tuple[str, ...]
    site: np.ndarray  # int32
    t_min: np.ndarray  # int64, minutes since epoch UTC
    free: np.ndarray  # int32
    capacity: np.ndarray  # int32

    def __post_init__(self) -> None:
        n = len(self.site)
        if not all(len(a) == n for a in (self.t_min, self.free, self.capacity)):
            raise ValueError("all columns must have the same length.")
        if n and (self.free.min() < 0 or (self.free > self.capacity).any()):
            raise ValueError("free must lie in [0, capacity].")

    def __len__(self) -> int:
        return len(self.site)

    def between(self, start_min: int, end_min: int) -> ObservationTable:
        """Rows with ``start_min <= t_min < end_min``."""
        keep = (self.t_min >= start_min) & (self.t_min < end_min)
        return ObservationTable(
            self.site_ids, self.site[keep], self.t_min[keep], self.free[keep], self.capacity[keep]
        )


def build_table(
    site_ids: Sequence[str],
    site_col: Sequence[str] | np.ndarray,
    t_min: np.ndarray,
    free: np.ndarray,
    capacity: np.ndarray,
) -> ObservationTable:
    """Table from parallel columns; rows for sites not in ``site_ids`` raise ``KeyError``."""
    index = {s: i for i, s in enumerate(site_ids)}
    site = np.fromiter((index[s] for s in site_col), dtype=np.int32, count=len(site_col))
    order = np.lexsort((np.asarray(t_min), site))
    return ObservationTable(
        tuple(site_ids),
        site[order],
        np.asarray(t_min, np.int64)[order],
        np.asarray(free, np.int32)[order],
        np.asarray(capacity, np.int32)[order],
    )


def from_observations(
    site_ids: Sequence[str], obs: Iterable[ParkingObservation]
) -> ObservationTable:
    """Table from domain records (for streams and tests; the CSV path builds columns directly)."""
    rows = list(obs)
    return build_table(
        site_ids,
        [o.site_id for o in rows],
        np.array([to_minutes(o.observed_at) for o in rows], dtype=np.int64),
        np.array([o.free for o in rows], dtype=np.int32),
        np.array([o.capacity for o in rows], dtype=np.int32),
    )


def to_minutes(t: datetime) -> int:
    """Minutes since the epoch (floor) of a timezone-aware time."""
    if t.tzinfo is None:
        raise ValueError("times must be timezone-aware.")
    return int(t.timestamp() // 60)


def from_minutes(m: int) -> datetime:
    """The UTC time of an epoch minute."""
    return datetime.fromtimestamp(int(m) * 60, tz=UTC)


def week_slot(t_min: np.ndarray, tz: str, slot_min: int) -> np.ndarray:
    """Local time-of-week slot (0 = Monday 00:00) of each epoch minute."""
    ts = pd.to_datetime(np.asarray(t_min, dtype=np.int64) * 60, unit="s", utc=True)
    local = pd.DatetimeIndex(ts).tz_convert(tz)
    minute = (
        local.day_of_week.to_numpy() * 1440 + local.hour.to_numpy() * 60 + local.minute.to_numpy()
    )
    return (minute // slot_min).astype(np.int32)


def week_slot_one(t: datetime, tz: ZoneInfo, slot_min: int) -> int:
    """The local time-of-week slot of one time (the serving path; no pandas)."""
    local = t.astimezone(tz)
    return (local.weekday() * 1440 + local.hour * 60 + local.minute) // slot_min


def last_before(
    table: ObservationTable, site: np.ndarray, t_min: np.ndarray, strict: bool = True
) -> np.ndarray:
    """Row index of each site's latest observation before ``t_min`` (strict or not); -1: none."""
    key = table.site.astype(np.int64) * (1 << 40) + table.t_min
    query = np.asarray(site, np.int64) * (1 << 40) + np.asarray(t_min, np.int64)
    idx = np.searchsorted(key, query, side="left" if strict else "right") - 1
    ok = idx >= 0
    ok[ok] &= table.site[idx[ok]] == np.asarray(site)[ok]
    return np.where(ok, idx, -1)
