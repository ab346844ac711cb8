"""Types of the bin alerts: kinds, thresholds, a planned visit, and an alert with its evidence.
Pure."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from core.records import FillReading

FloatArray = npt.NDArray[np.float64]

Evidence = float | int | str | bool | datetime | None


class AlertKind(StrEnum):
    """What an alert is about (most urgent first: the order alerts are listed in)."""

    OVERFLOW = "overflow_before_visit"  # predicted full before its next planned visit
    SILENT = "silent_sensor"  # no reading for ``silent_after_h``
    STUCK = "stuck_sensor"  # the same reading for ``stuck_after_h`` while it should change
    JUMP = "implausible_jump"  # a rise too fast to be litter, or a drop with no emptying
    LOW_BATTERY = "low_battery"  # the sensor's reported battery is below ``low_battery``


KIND_ORDER = {k: i for i, k in enumerate(AlertKind)}


@dataclass(frozen=True, slots=True)
class AlertParams:
    """Thresholds of the alert rules; levels are fillingLevel fractions, times hours.

    ``working_days`` are the weekdays (Monday 0) the trucks run: a bin no plan visits counts as
    visited at the next working day's shift start (the earliest waste truck's ``shift_start_h``)
    on a day that has no stored plan yet. The platform plans every day, hence all seven.
    """

    silent_after_h: float = 6.0
    stuck_after_h: float = 24.0
    stuck_tol: float = 0.005  # readings this close to the last one count as the same value
    stuck_min_readings: int = 4
    stuck_min_change: float = 0.1  # the neighbours' rate over the run must add at least this
    full_level: float = 0.99  # a sensor repeating this or more sees a full bin: not stuck
    rise_tol: float = 0.35  # a rise up to rise_tol + max_rise_per_h x hours is plausible
    max_rise_per_h: float = 0.25
    drop_tol: float = 0.15  # a larger drop is an emptying (the forecaster's drop_tol)
    emptying_slack_h: float = 2.0  # a recorded emptying this close to a drop explains it
    jump_window_h: float = 24.0  # jumps ending this long before now are reported
    low_battery: float = 0.15  # batteryLevel fraction
    lookback_h: float = 48.0  # sensor readings read for the checks
    working_days: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)

    def __post_init__(self) -> None:
        for name in (
            "silent_after_h",
            "stuck_after_h",
            "stuck_tol",
            "stuck_min_change",
            "rise_tol",
            "max_rise_per_h",
            "drop_tol",
            "jump_window_h",
            "lookback_h",
        ):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a positive number, got {value!r}.")
        if self.emptying_slack_h < 0:
            raise ValueError("emptying_slack_h must be non-negative.")
        if self.stuck_min_readings < 2:
            raise ValueError("stuck_min_readings must be at least 2.")
        if not 0 < self.full_level <= 1 or not 0 <= self.low_battery <= 1:
            raise ValueError("full_level must be in (0, 1] and low_battery in [0, 1].")
        if not self.working_days or not set(self.working_days) <= set(range(7)):
            raise ValueError("working_days must be weekdays 0 (Monday) to 6.")


@dataclass(frozen=True, eq=False)
class SensorSeries:
    """One bin's sensor readings in time order, as columns: UTC epoch seconds, fillingLevel and
    batteryLevel (NaN where a reading has none)."""

    t: FloatArray
    level: FloatArray
    battery: FloatArray

    def __post_init__(self) -> None:
        if not len(self.t) == len(self.level) == len(self.battery):
            raise ValueError("t, level and battery must have the same length.")

    def __len__(self) -> int:
        return len(self.t)

    def at(self, i: int) -> datetime:
        """The time of reading ``i`` (UTC)."""
        return datetime.fromtimestamp(float(self.t[i]), UTC)

    @staticmethod
    def from_readings(readings: Sequence[FillReading]) -> SensorSeries:
        """The series of ``readings`` (one sensor's, any order)."""
        rs = sorted(readings, key=lambda r: r.observed_at)
        return SensorSeries(
            np.array([r.observed_at.timestamp() for r in rs], dtype=np.float64),
            np.array([r.filling_level for r in rs], dtype=np.float64),
            np.array([np.nan if r.battery is None else r.battery for r in rs], dtype=np.float64),
        )


EMPTY_SERIES = SensorSeries(np.zeros(0), np.zeros(0), np.zeros(0))


@dataclass(frozen=True, slots=True)
class PlannedVisit:
    """A bin stop still ``planned`` in a stored accepted plan."""

    bin_id: str
    plan_id: int
    plan_date: date
    vehicle_id: str
    eta: datetime


@dataclass(frozen=True, slots=True)
class Alert:
    """One alert on one bin with the evidence behind it.

    ``at`` is when the condition was seen to start (last reading of a silent sensor, first
    repeated reading, the jump's reading, the battery reading, the predicted-full time); the
    ``evidence`` keys per kind are listed in :mod:`fleet.alerts.sensors` and
    :mod:`fleet.alerts.overflow`.
    """

    kind: AlertKind
    bin_id: str
    street: str
    lon: float
    lat: float
    at: datetime
    evidence: Mapping[str, Evidence]

    def sort_key(self) -> tuple[int, datetime, str]:
        return (KIND_ORDER[self.kind], self.at, self.bin_id)
