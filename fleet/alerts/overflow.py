"""Bins predicted full before their next planned visit. Pure.

A bin's *predicted-full time* is its forecast's ``full_at``: when the central forecast reaches
the bin's threshold (the level at which it counts as full; the time of the last reading when it
is already there), as in :func:`routing.planning.day_problem.overflow_risk`. Its *next planned
visit* is the earliest stop still ``planned`` for it in the stored accepted plans of today and
later (the newest plan of each day); with none, the start of the next working day's shift on a
day that has no plan yet (:func:`next_unplanned_shift`), the earliest chance a new plan has to
take it. Bins without readings have no forecast and no alert here (the silent-sensor alert
covers them).

Evidence: ``predicted_full_at``, ``level_now``, ``as_of`` (the reading the forecast starts
from), ``threshold``, ``visit_at`` (the deadline), ``planned`` (True: a planned stop; False: the
next shift), and for a planned stop ``plan_id`` and ``vehicle_id``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from core.domain import Bin
from fleet.alerts.types import Alert, AlertKind, Evidence, PlannedVisit
from forecasting.model import FillForecast

SEARCH_DAYS = 60


def predicted_full_at(f: FillForecast | None) -> datetime | None:
    """When the bin reaches its threshold by the central forecast: the time of the last reading
    when it is already there; None without readings or beyond the forecaster's horizon."""
    if f is None or f.level_now is None:
        return None
    return f.as_of if f.level_now >= f.threshold else f.full_at


def next_visits(visits: Iterable[PlannedVisit]) -> dict[str, PlannedVisit]:
    """Each bin's earliest planned visit."""
    out: dict[str, PlannedVisit] = {}
    for v in visits:
        if v.bin_id not in out or v.eta < out[v.bin_id].eta:
            out[v.bin_id] = v
    return out


def next_unplanned_shift(
    now: datetime,
    tz: str,
    shift_start_h: float,
    planned_days: Collection[date],
    working_days: Collection[int],
) -> datetime:
    """The first shift start after ``now`` (local ``shift_start_h`` in ``tz``) on a working day
    (Monday 0) that has no stored plan."""
    zone = ZoneInfo(tz)
    today = now.astimezone(zone).date()
    for k in range(SEARCH_DAYS):
        d = today + timedelta(days=k)
        if d.weekday() not in working_days or d in planned_days:
            continue
        start = datetime(d.year, d.month, d.day, tzinfo=zone) + timedelta(hours=shift_start_h)
        if start > now:
            return start
    raise ValueError(f"no unplanned working day within {SEARCH_DAYS} days of {today}.")


def overflow_alerts(
    bins: Sequence[Bin],
    forecasts: Mapping[str, FillForecast],
    visits: Mapping[str, PlannedVisit],
    next_shift: datetime,
) -> list[Alert]:
    """An alert for every bin whose predicted-full time comes before its next planned visit
    (``visits``: each bin's earliest, :func:`next_visits`), or before ``next_shift`` when no
    plan visits it."""
    out: list[Alert] = []
    for b in bins:
        f = forecasts.get(b.bin_id)
        full_at = predicted_full_at(f)
        if f is None or f.level_now is None or full_at is None:
            continue
        visit = visits.get(b.bin_id)
        deadline = visit.eta if visit is not None else next_shift
        if full_at >= deadline:
            continue
        evidence: dict[str, Evidence] = {
            "predicted_full_at": full_at,
            "level_now": round(f.level_now, 4),
            "as_of": f.as_of,
            "threshold": f.threshold,
            "visit_at": deadline,
            "planned": visit is not None,
        }
        if visit is not None:
            evidence |= {"plan_id": visit.plan_id, "vehicle_id": visit.vehicle_id}
        out.append(Alert(AlertKind.OVERFLOW, b.bin_id, b.street, b.lon, b.lat, full_at, evidence))
    return out
