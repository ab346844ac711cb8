"""Settings of a closed-loop run: calendar, sensors, traffic, solver budget, GPS trackers and
drivers' stop reports. Validated, frozen."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from fleet.adherence_types import AdherenceParams
from simulations.fill_model import DEFAULT_CALIBRATION, FillRateCalibration

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MON_FRI = (0, 1, 2, 3, 4)
MON_SAT = (0, 1, 2, 3, 4, 5)


def parse_work_days(text: str) -> tuple[int, ...]:
    """Working weekdays from ``"mon-fri"``, ``"mon-sat"`` or a list like ``"mon,wed,fri"``."""
    names = text.strip().lower()
    if "-" in names and "," not in names:
        first, last = (WEEKDAY_NAMES.index(n.strip()[:3]) for n in names.split("-", 1))
        if last < first:
            raise ValueError(f"work days {text!r}: range must run forward from Monday.")
        return tuple(range(first, last + 1))
    try:
        return tuple(sorted({WEEKDAY_NAMES.index(n.strip()[:3]) for n in names.split(",")}))
    except ValueError as e:
        raise ValueError(f"work days {text!r}: use day names mon..sun.") from e


@dataclass(frozen=True)
class SensorConfig:
    """What the fill sensors report, and how badly; drivers report fill in ``driver_step``s."""

    coverage: float = 1.0  # share of bins with a sensor
    interval_h: float = 1.0  # one reading per interval
    noise_sd: float = 0.025  # ultrasonic noise, fraction of the bin
    spurious_prob: float = 0.005  # a reading is a random value (lid obstruction, condensation)
    dropout_prob: float = 0.03  # a reading is never received
    stuck_per_day: float = 0.003  # chance per sensor-day that a sensor gets stuck
    stuck_mean_days: float = 3.0  # a stuck sensor repeats its last value this long on average
    late_prob: float = 0.02  # a reading arrives late
    late_mean_h: float = 8.0  # mean delay of a late reading (exponential)
    driver_step: float = 0.25  # drivers report the fill they see rounded to quarters

    def __post_init__(self) -> None:
        if not 0.0 <= self.coverage <= 1.0:
            raise ValueError("coverage must be in [0, 1].")
        if self.interval_h <= 0 or self.stuck_mean_days <= 0 or self.late_mean_h <= 0:
            raise ValueError("interval_h, stuck_mean_days and late_mean_h must be positive.")
        if not 0 <= self.noise_sd < 0.5:
            raise ValueError("noise_sd must be in [0, 0.5).")
        for name in ("spurious_prob", "dropout_prob", "stuck_per_day", "late_prob"):
            if not 0.0 <= getattr(self, name) < 1.0:
                raise ValueError(f"{name} must be in [0, 1).")
        if not 0 < self.driver_step <= 1:
            raise ValueError("driver_step must be in (0, 1].")


@dataclass(frozen=True)
class TrafficConfig:
    """Execution noise: log-sd of the day's city-wide traffic factor, of each place's factor on
    a day (a leg's factor is the day's times the mean of its two ends') and of service times."""

    day_sd: float = 0.08
    place_sd: float = 0.12
    service_sd: float = 0.3

    def __post_init__(self) -> None:
        if min(self.day_sd, self.place_sd, self.service_sd) < 0:
            raise ValueError("traffic standard deviations must be non-negative.")


@dataclass(frozen=True)
class SolverBudget:
    """PyVRP's search budget per solve: iterations, not seconds, so every machine agrees."""

    max_iterations: int = 1000
    max_no_improvement: int = 400

    def __post_init__(self) -> None:
        if self.max_iterations <= 0 or self.max_no_improvement <= 0:
            raise ValueError("max_iterations and max_no_improvement must be positive.")


@dataclass(frozen=True)
class GpsConfig:
    """Tracker settings: a fix every ``interval_s``, Gaussian position noise of ``sigma_m``.

    5 s as the live trackers. A coarser interval saves a little time in big studies, but the
    live dwell rule (still fixes spanning ``min_dwell_s``) then misses stops shorter than about
    three intervals: at 30 s it proves under half of the 60 s kerbside emptyings.
    """

    interval_s: float = 5.0
    sigma_m: float = 5.0

    def __post_init__(self) -> None:
        if self.interval_s <= 0 or self.sigma_m < 0:
            raise ValueError("interval_s must be positive and sigma_m non-negative.")


@dataclass(frozen=True)
class ReportConfig:
    """Drivers' stop reports: the share ``missing`` (a bin emptied, never reported) and the
    share ``wrong`` (an emptied bin reported skipped; a bin left at shift end reported emptied).
    """

    missing: float = 0.02
    wrong: float = 0.01

    def __post_init__(self) -> None:
        if not (0 <= self.missing < 1 and 0 <= self.wrong < 1 and self.missing + self.wrong < 1):
            raise ValueError("report missing and wrong must be shares in [0, 1) summing below 1.")


@dataclass(frozen=True)
class LoopConfig:
    """A run: ``days`` from local midnight of ``start`` in ``tz``; the first ``warmup_days``
    are simulated but left out of the study's totals."""

    tz: str
    days: int
    start: date = date(2024, 9, 2)  # a Monday, away from DST changes for a few weeks
    work_days: tuple[int, ...] = MON_SAT  # weekdays (Mon = 0) the trucks work
    warmup_days: int = 7
    plan_lead_h: float = 1.0  # the day's plan is made this long before the first shift starts
    history_days: float = 14.0  # readings older than this are not used by forecasts
    sensors: SensorConfig = field(default_factory=SensorConfig)
    traffic: TrafficConfig = field(default_factory=TrafficConfig)
    budget: SolverBudget = field(default_factory=SolverBudget)
    calibration: FillRateCalibration = DEFAULT_CALIBRATION
    gps: GpsConfig = field(default_factory=GpsConfig)
    reports: ReportConfig = field(default_factory=ReportConfig)
    proof_of_service: bool = True  # GPS and adherence every working day (needs the network)
    adherence: AdherenceParams = field(default_factory=AdherenceParams)  # the live defaults

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.tz)
        except Exception as e:  # ZoneInfoNotFoundError or ValueError
            raise ValueError(f"unknown time zone {self.tz!r}.") from e
        if self.days <= 0:
            raise ValueError("days must be positive.")
        if not 0 <= self.warmup_days < self.days:
            raise ValueError("warmup_days must be in [0, days).")
        if not self.work_days or any(not 0 <= d <= 6 for d in self.work_days):
            raise ValueError("work_days must be weekdays 0..6 (Monday = 0), at least one.")
        if len(set(self.work_days)) != len(self.work_days):
            raise ValueError("work_days must not repeat a day.")
        if not 0 <= self.plan_lead_h <= 12 or self.history_days <= 0:
            raise ValueError("plan_lead_h must be in [0, 12] and history_days positive.")
        if self.adherence.shift_end is not None:
            raise ValueError("adherence.shift_end must be None: each day's GPS is read whole.")
