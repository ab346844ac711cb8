"""When the daily fleet aggregation runs and which days it computes (pure).

It runs once a day at a local hour of the city's zone and computes the previous local day; at
each run it also fills in up to ``lookback`` earlier days that have no stored aggregates (the
process was down at their hour), never days older than the GPS history kept.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def next_run(now: datetime, tz: str, hour: int) -> datetime:
    """The first local ``hour``:00 in ``tz`` strictly after ``now`` (aware), as an aware time."""
    if not 0 <= hour <= 23:
        raise ValueError("hour must be in 0..23.")
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware.")
    zone = ZoneInfo(tz)
    local = now.astimezone(zone)
    for days in range(3):  # a DST gap can skip the hour on one day, never two days running
        d = local.date() + timedelta(days=days)
        at = datetime.combine(d, time(hour), zone)
        # a wall time inside a DST gap does not exist: round-trip through UTC moves it forward
        at = at.astimezone(ZoneInfo("UTC")).astimezone(zone)
        if at > local:
            return at
    raise AssertionError("unreachable: a local hour occurs within three days")


def previous_day(at: datetime, tz: str) -> date:
    """The local day before ``at``'s local day in ``tz``."""
    return at.astimezone(ZoneInfo(tz)).date() - timedelta(days=1)


def days_to_compute(
    at: datetime, tz: str, stored: Collection[date], lookback: int, retention_days: int
) -> list[date]:
    """The previous local day (always, replacing what was stored) and the up to ``lookback``
    days before it that are not stored and are still within ``retention_days`` of GPS, oldest
    first."""
    if lookback < 0 or retention_days < 1:
        raise ValueError("lookback must be >= 0 and retention_days positive.")
    last = previous_day(at, tz)
    oldest = at.astimezone(ZoneInfo(tz)).date() - timedelta(days=retention_days - 1)
    earlier = [last - timedelta(days=k) for k in range(lookback, 0, -1)]
    return [d for d in earlier if d >= oldest and d not in stored] + [last]
