"""Sensor-health alerts from a bin's own readings (sensor readings only: the level-0 readings
written from drivers' reports are emptyings, not sensor output). Pure.

Rules (thresholds in :class:`~fleet.alerts.types.AlertParams`) and the evidence each alert
carries:

* **silent**: the last sensor reading is more than ``silent_after_h`` before now (or there is
  none). Evidence: ``last_reading_at`` (None: never), ``hours_silent`` (None: never).
* **stuck**: the trailing run of readings within ``stuck_tol`` of the last one has at least
  ``stuck_min_readings`` readings over at least ``stuck_after_h`` hours, while the bin's
  neighbours say it should have changed: their median fill rate (:func:`neighbour_rates`) over
  the run adds at least ``stuck_min_change``. A run at ``full_level`` or above is a full bin, not
  a stuck sensor. Evidence: ``value``, ``since`` (first repeated reading within the lookback),
  ``last_reading_at``, ``hours``, ``readings``, ``neighbour_rate_per_h``, ``expected_change``.
* **implausible jump**, per pair of consecutive readings whose later one is within
  ``jump_window_h`` of now: a *rise* above ``rise_tol + max_rise_per_h x hours`` between them
  (litter does not arrive that fast); a *drop* of more than ``drop_tol`` with no emptying
  recorded (a driver's ``emptied`` report) within ``emptying_slack_h`` of the two readings. A
  rise straight followed by such a drop is one *spike*. Evidence: ``direction``
  (rise|drop|spike), ``from_level``/``from_at``, ``to_level``/``to_at``, for a spike
  ``back_level``/``back_at``, for a rise ``max_plausible_rise``, for a drop
  ``last_emptying_at`` (the newest recorded emptying before it, None if none).
* **low battery**: the newest reading that reports a battery has ``batteryLevel`` below
  ``low_battery``. Evidence: ``battery``, ``observed_at``, ``threshold``.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from datetime import datetime

import numpy as np

from core.domain import Bin
from fleet.alerts.types import EMPTY_SERIES, Alert, AlertKind, AlertParams, Evidence, SensorSeries
from forecasting.model import FillForecast, ForecastMethod

MIN_NEIGHBOURS = 3


def _alert(b: Bin, kind: AlertKind, at: datetime, evidence: dict[str, Evidence]) -> Alert:
    return Alert(kind, b.bin_id, b.street, b.lon, b.lat, at, evidence)


def silent_alert(
    b: Bin, last_reading_at: datetime | None, now: datetime, p: AlertParams
) -> Alert | None:
    """A silent-sensor alert when the last reading is older than ``p.silent_after_h``."""
    if last_reading_at is None:
        return _alert(b, AlertKind.SILENT, now, {"last_reading_at": None, "hours_silent": None})
    hours = (now - last_reading_at).total_seconds() / 3600.0
    if hours <= p.silent_after_h:
        return None
    evidence: dict[str, Evidence] = {
        "last_reading_at": last_reading_at,
        "hours_silent": round(hours, 2),
    }
    return _alert(b, AlertKind.SILENT, last_reading_at, evidence)


def stuck_alert(
    b: Bin, s: SensorSeries, neighbour_rate_per_h: float, p: AlertParams
) -> Alert | None:
    """A stuck-sensor alert when the readings end in a long enough run of one value that the
    neighbours' fill rate says should have moved."""
    if len(s) < p.stuck_min_readings:
        return None
    value = float(s.level[-1])
    if value >= p.full_level:
        return None
    off = np.flatnonzero(np.abs(s.level - value) > p.stuck_tol)
    first = int(off[-1]) + 1 if off.size else 0
    n = len(s) - first
    hours = float(s.t[-1] - s.t[first]) / 3600.0
    expected = neighbour_rate_per_h * hours
    if n < p.stuck_min_readings or hours < p.stuck_after_h or expected < p.stuck_min_change:
        return None
    since = s.at(first)
    evidence: dict[str, Evidence] = {
        "value": value,
        "since": since,
        "last_reading_at": s.at(len(s) - 1),
        "hours": round(hours, 2),
        "readings": n,
        "neighbour_rate_per_h": round(neighbour_rate_per_h, 5),
        "expected_change": round(expected, 3),
    }
    return _alert(b, AlertKind.STUCK, since, evidence)


def jump_alerts(
    b: Bin, s: SensorSeries, emptyings: Sequence[datetime], now: datetime, p: AlertParams
) -> list[Alert]:
    """Implausible rises, unexplained drops and spikes (a rise straight back down) among the
    readings whose later reading is within ``p.jump_window_h`` of now."""
    if len(s) < 2:
        return []
    since = now.timestamp() - p.jump_window_h * 3600.0
    slack = p.emptying_slack_h * 3600.0
    empty_t = np.array(sorted(e.timestamp() for e in emptyings), dtype=np.float64)
    change = np.diff(s.level)
    limit = p.rise_tol + p.max_rise_per_h * np.diff(s.t) / 3600.0
    recent = s.t[1:] >= since
    rise = recent & (change > limit)
    drop = recent & ~rise & (-change > p.drop_tol)
    found: list[tuple[int, str]] = []  # (later reading's index, rise|drop)
    for i in (np.flatnonzero(rise | drop) + 1).tolist():
        if rise[i - 1]:
            found.append((i, "rise"))
        elif not np.any((empty_t >= s.t[i - 1] - slack) & (empty_t <= s.t[i] + slack)):
            found.append((i, "drop"))
    out: list[Alert] = []
    j = 0
    while j < len(found):
        k, direction = found[j]
        to_at = s.at(k)
        ev: dict[str, Evidence] = {
            "direction": direction,
            "from_level": float(s.level[k - 1]),
            "from_at": s.at(k - 1),
            "to_level": float(s.level[k]),
            "to_at": to_at,
        }
        nxt = found[j + 1] if j + 1 < len(found) else None
        if direction == "rise" and nxt == (k + 1, "drop"):
            ev |= {
                "direction": "spike",
                "back_level": float(s.level[k + 1]),
                "back_at": s.at(k + 1),
            }
            j += 1
        elif direction == "rise":
            ev["max_plausible_rise"] = round(float(limit[k - 1]), 3)
        else:
            before = [e for e in emptyings if e <= to_at]
            ev["last_emptying_at"] = max(before) if before else None
        out.append(_alert(b, AlertKind.JUMP, to_at, ev))
        j += 1
    return out


def battery_alert(b: Bin, s: SensorSeries, p: AlertParams) -> Alert | None:
    """A low-battery alert from the newest reading that reports a battery."""
    reported = np.flatnonzero(~np.isnan(s.battery))
    if reported.size == 0:
        return None
    i = int(reported[-1])
    battery = float(s.battery[i])
    if battery >= p.low_battery:
        return None
    at = s.at(i)
    evidence: dict[str, Evidence] = {
        "battery": battery,
        "observed_at": at,
        "threshold": p.low_battery,
    }
    return _alert(b, AlertKind.LOW_BATTERY, at, evidence)


def neighbour_rates(bins: Sequence[Bin], forecasts: Mapping[str, FillForecast]) -> dict[str, float]:
    """What each bin's neighbours say its fill rate is (level per hour): the median rate of the
    other bins of its district that have their own history (``bin_history`` forecasts); with
    fewer than three of those, of all other such bins; with none, the median rate of every
    forecast (the fleet prior); 0 without forecasts."""
    own = {
        b.bin_id: f.rate_per_h
        for b in bins
        if (f := forecasts.get(b.bin_id)) is not None and f.method is ForecastMethod.BIN_HISTORY
    }
    by_district: dict[str, list[str]] = {}
    for b in bins:
        if b.bin_id in own:
            by_district.setdefault(b.district, []).append(b.bin_id)
    fleet = [f.rate_per_h for f in forecasts.values() if f.method is not ForecastMethod.NO_DATA]
    fallback = statistics.median(fleet) if fleet else 0.0
    out: dict[str, float] = {}
    for b in bins:
        near = [own[x] for x in by_district.get(b.district, []) if x != b.bin_id]
        if len(near) < MIN_NEIGHBOURS:
            near = [r for x, r in own.items() if x != b.bin_id]
        out[b.bin_id] = statistics.median(near) if near else fallback
    return out


def sensor_alerts(
    bins: Sequence[Bin],
    series: Mapping[str, SensorSeries],
    last_reading_at: Mapping[str, datetime | None],
    emptyings: Mapping[str, Sequence[datetime]],
    rates: Mapping[str, float],
    now: datetime,
    p: AlertParams,
) -> list[Alert]:
    """Every sensor-health alert of ``bins``: each bin's readings of the lookback window
    (``series``), its last reading ever (a newer one in ``series`` wins), its recorded emptyings
    and its neighbours' rate (:func:`neighbour_rates`)."""
    out: list[Alert] = []
    for b in bins:
        s = series.get(b.bin_id, EMPTY_SERIES)
        last = last_reading_at.get(b.bin_id)
        if len(s) and (last is None or s.at(len(s) - 1) > last):
            last = s.at(len(s) - 1)
        found = [
            silent_alert(b, last, now, p),
            stuck_alert(b, s, rates.get(b.bin_id, 0.0), p),
            battery_alert(b, s, p),
        ]
        out += [a for a in found if a is not None]
        out += jump_alerts(b, s, emptyings.get(b.bin_id, ()), now, p)
    return out
