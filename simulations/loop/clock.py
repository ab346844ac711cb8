"""The simulation clock: hours since local midnight of the first day, and local calendar time.

Sim time is real elapsed hours (a DST change makes that day 23 or 25 hours long); the planning
code works in seconds since a day's local midnight, and the fill profiles in local hours and
weekdays, so this module converts between them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True)
class Clock:
    """``days`` calendar days from local midnight of ``start`` in ``tz``."""

    start: date
    days: int
    tz: str

    def __post_init__(self) -> None:
        if self.days <= 0:
            raise ValueError("days must be positive.")
        ZoneInfo(self.tz)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    @property
    def origin(self) -> datetime:
        """Local midnight of the first day, as a UTC instant."""
        d = self.start
        return datetime(d.year, d.month, d.day, tzinfo=self.zone).astimezone(UTC)

    def date_of(self, day: int) -> date:
        return self.start + timedelta(days=day)

    def weekday(self, day: int) -> int:
        return self.date_of(day).weekday()

    def midnight_h(self, day: int) -> float:
        """Sim hours at local midnight starting ``day`` (``day == days`` is the end)."""
        d = self.date_of(day)
        local = datetime(d.year, d.month, d.day, tzinfo=self.zone)
        return (local.astimezone(UTC) - self.origin).total_seconds() / 3600.0

    def at(self, day: int, local_h: float) -> float:
        """Sim hours at local clock time ``local_h`` hours after midnight of ``day``."""
        return self.midnight_h(day) + local_h

    @property
    def end_h(self) -> float:
        return self.midnight_h(self.days)

    @property
    def n_hours(self) -> int:
        return int(round(self.end_h))

    def instant(self, t_h: float) -> datetime:
        """The UTC instant at sim hours ``t_h``."""
        return self.origin + timedelta(hours=float(t_h))

    def utc_s(self, t_h: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Epoch seconds (UTC) at sim hours ``t_h``."""
        return self.origin.timestamp() + np.asarray(t_h, dtype=np.float64) * 3600.0

    def day_of(self, t_h: float) -> int:
        """The calendar day index containing sim hours ``t_h``."""
        day = min(max(int(t_h // 24), 0), self.days - 1)
        while day > 0 and self.midnight_h(day) > t_h:
            day -= 1
        while day < self.days - 1 and self.midnight_h(day + 1) <= t_h:
            day += 1
        return day

    def hour_grid(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
        """Local hour of day and weekday at the middle of every sim hour."""
        hours, weekdays = [], []
        for k in range(self.n_hours):
            local = self.instant(k + 0.5).astimezone(self.zone)
            hours.append(local.hour + local.minute / 60.0)
            weekdays.append(local.weekday())
        return np.asarray(hours, dtype=np.float64), np.asarray(weekdays, dtype=np.int64)
