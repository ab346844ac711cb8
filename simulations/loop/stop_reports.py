"""What the drivers report on their stops in the closed loop (pure, seeded).

Every bin a truck emptied is reported ``emptied`` when its service starts; a bin left at shift
end goes unreported. A share of the reports is missing (an emptied bin never reported) or wrong
(an emptied bin reported ``skipped``; a left bin reported ``emptied`` when its truck is home).
Which bins' reports fail on a day is drawn from the seed and the day alone (common random
numbers: whichever policy visits a bin that day meets the same draw). The platform learns only
what is reported (:class:`~simulations.loop.knowledge.Platform`); proof of service checks the
reports against the GPS (:mod:`simulations.loop.proof`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from fleet.adherence_types import ReportStatus
from simulations.loop.config import ReportConfig
from simulations.loop.execution import DayExecution
from simulations.loop.scenario import Scenario

STREAM_REPORTS = 51


@dataclass(frozen=True, slots=True)
class StopReport:
    """A driver's report: inventory index, sim hour, what they say, their truck."""

    bin_index: int
    t_h: float
    status: ReportStatus
    vehicle_id: str


@dataclass(frozen=True, eq=False)
class ReportFaults:
    """Per bin, whether its report of the day goes missing or says the wrong thing."""

    missing: npt.NDArray[np.bool_]
    wrong: npt.NDArray[np.bool_]


def report_faults(seed: int, day: int, n_bins: int, cfg: ReportConfig) -> ReportFaults:
    """The day's faulty reports (independent of everything a policy does)."""
    u = np.random.default_rng([seed, STREAM_REPORTS, day]).random(n_bins)
    missing = u < cfg.missing
    return ReportFaults(missing, ~missing & (u < cfg.missing + cfg.wrong))


def day_reports(
    sc: Scenario, execution: DayExecution, faults: ReportFaults
) -> tuple[StopReport, ...]:
    """The reports the drivers send about the day ``execution`` drove, in time order."""
    out = [
        StopReport(
            s.bin_index,
            s.t_h,
            ReportStatus.SKIPPED if faults.wrong[s.bin_index] else ReportStatus.EMPTIED,
            s.vehicle_id,
        )
        for s in execution.services
        if not faults.missing[s.bin_index]
    ]
    for truck in execution.trucks:
        home_h = truck.legs[-1].arrive_h if truck.legs else 0.0
        for bin_id in truck.not_done:
            b = sc.bin_index[bin_id]
            if faults.wrong[b]:
                out.append(StopReport(b, home_h, ReportStatus.EMPTIED, truck.vehicle_id))
    return tuple(sorted(out, key=lambda r: (r.t_h, r.bin_index)))
