"""What the drivers report on their planned stops after a driven day (pure, seeded).

A bin the truck emptied is reported ``emptied`` with the fill the driver saw (the true level,
misjudged by ``fill_sd`` and rounded to tenths as on the route page); a bin found blocked is
reported ``skipped`` with the reason; a bin left at shift end is not reported. A small seeded
share of reports is missing (an emptied bin never reported) or wrong (an emptied bin reported
skipped; a blocked or left bin reported emptied): what proof of service is there to catch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from core.plan import DayPlan, StopKind
from fleet.adherence_types import ReportStatus
from simulations.loop.clock import Clock
from simulations.loop.scenario import Scenario
from simulations.truck_day import DrivenDay

STREAM_REPORTS = 81
WRONG_SKIP_REASON = "other"


@dataclass(frozen=True)
class ReportRates:
    """Shares of missing and wrong reports, and how well drivers judge a bin's fill."""

    missing: float = 0.01
    wrong: float = 0.01
    fill_sd: float = 0.05

    def __post_init__(self) -> None:
        if not (0 <= self.missing < 1 and 0 <= self.wrong < 1 and self.missing + self.wrong < 1):
            raise ValueError("missing and wrong must be shares in [0, 1) summing below 1.")
        if self.fill_sd < 0:
            raise ValueError("fill_sd must be non-negative.")


@dataclass(frozen=True, slots=True)
class DriverStopReport:
    """One report a driver sends: the stop (``seq`` of the vehicle's route) and what they say."""

    vehicle_id: str
    seq: int
    bin_id: str
    status: ReportStatus
    reported_at: datetime
    fill_observed: float | None = None
    skip_reason: str | None = None
    truthful: bool = True

    def body(self) -> dict[str, Any]:
        """The JSON body of the driver API's stop report."""
        out: dict[str, Any] = {
            "status": self.status.value,
            "reported_at": self.reported_at.isoformat(),
        }
        if self.fill_observed is not None:
            out["fill_observed"] = self.fill_observed
        if self.skip_reason is not None:
            out["skip_reason"] = self.skip_reason
        return out


@dataclass(frozen=True, slots=True)
class ReportTally:
    """How the day's bin stops were reported."""

    emptied: int = 0
    skipped: int = 0
    missing: int = 0  # emptied, never reported
    wrong: int = 0  # reports contradicting what happened
    left: int = 0  # not done by shift end, not reported


def driver_reports(
    plan: DayPlan,
    driven: DrivenDay,
    sc: Scenario,
    clock: Clock,
    rates: ReportRates,
    seed: int,
) -> tuple[list[DriverStopReport], ReportTally]:
    """Every report of the day, per vehicle in stop order, and their tally."""
    rng = np.random.default_rng([seed, STREAM_REPORTS, driven.day])
    served = driven.services()
    out: list[DriverStopReport] = []
    n = {"emptied": 0, "skipped": 0, "missing": 0, "wrong": 0, "left": 0}
    trucks = {t.vehicle_id: t for t in driven.execution.trucks}
    shift_start = {t.vehicle_id: t.shift_start_h for t in sc.trucks}
    for route in plan.routes:
        truck = trucks.get(route.vehicle_id)
        t_h = (
            truck.legs[0].depart_h
            if truck and truck.legs
            else clock.at(driven.day, shift_start[route.vehicle_id])
        )
        end_h = truck.legs[-1].arrive_h if truck and truck.legs else t_h
        for stop in route.stops:
            if stop.kind is not StopKind.BIN or stop.bin_id is None:
                continue
            b, u = stop.bin_id, float(rng.random())
            wrong = u < rates.wrong
            missing = not wrong and u < rates.wrong + rates.missing
            fill = _seen(rng, rates.fill_sd, 0.6)
            if b in served:
                s = served[b]
                t_h = s.t_h + sc.bins[s.bin_index].service_s / 3600.0
                fill = _seen(rng, rates.fill_sd, s.litres / sc.bins[s.bin_index].capacity_l)
                if missing:
                    n["missing"] += 1
                    continue
                status, reason = (
                    (ReportStatus.SKIPPED, WRONG_SKIP_REASON)
                    if wrong
                    else (ReportStatus.EMPTIED, None)
                )
                when = t_h
            elif b in driven.blocked:
                t_h += 1.0 / 60.0  # the driver passes it on the way to the next bin
                status, reason = (
                    (ReportStatus.EMPTIED, None)
                    if wrong
                    else (ReportStatus.SKIPPED, driven.blocked[b])
                )
                when = t_h
            elif wrong:  # left at shift end, claimed done on the way home
                status, reason, when = ReportStatus.EMPTIED, None, end_h
            else:
                n["left"] += 1
                continue
            n["wrong" if wrong else status.value] += 1
            out.append(
                DriverStopReport(
                    route.vehicle_id,
                    stop.seq,
                    b,
                    status,
                    clock.instant(when),
                    fill if status is ReportStatus.EMPTIED else None,
                    reason,
                    truthful=not wrong,
                )
            )
    return out, ReportTally(**n)


def _seen(rng: np.random.Generator, sd: float, level: float) -> float:
    """The fill a driver reports for a true ``level``: misjudged, in tenths."""
    return round(float(np.clip(level + rng.normal(0.0, sd), 0.0, 1.0)), 1)
