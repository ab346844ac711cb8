"""Proof of service per run and working day, as data (``adherence.csv``).

One row per (policy, setting, seed, working day): the live system's adherence totals of the
day's plan (:class:`fleet.adherence_types.AdherenceTotals`, summed over the trucks; a bin
emptied by another truck than planned is missed on its own route and unplanned on the other's),
the bins nobody served, the GPS fixes and driver reports it read, and beside them the ground
truth only the simulator knows: the bins the trucks really emptied (``done``) and the planned
bins whose proof contradicts it (``misjudged``: served by the GPS but not emptied, or emptied
but not served).

Pure; :func:`~simulations.loop.tidy.csv_text` writes the rows and :func:`parse_adherence_csv`
reads them back.
"""

from __future__ import annotations

from dataclasses import dataclass

from fleet.adherence_types import Outcome, PlanAdherence
from simulations.loop.execution import DayExecution
from simulations.loop.scenario import Scenario
from simulations.loop.tidy import columns_of, parse_rows


@dataclass(frozen=True, slots=True)
class AdherenceRow:
    """A working day's proof of service for one policy setting and seed."""

    policy: str
    param: str
    seed: int
    day: int
    planned: int
    served: int
    missed: int
    not_visited: int  # missed and served by no other truck
    out_of_sequence: int
    unplanned: int
    disagreements: int  # between the drivers' reports and the GPS
    driven_km: float  # by the GPS
    off_route_km: float
    fixes: int
    reports: int
    done: int  # ground truth: bins the trucks emptied
    misjudged: int  # ground truth: planned bins whose proof contradicts ``done``


ADHERENCE_COLUMNS = columns_of(AdherenceRow)


def adherence_row(
    policy: str,
    param: str,
    seed: int,
    day: int,
    result: PlanAdherence,
    sc: Scenario,
    execution: DayExecution,
    reports: int,
) -> AdherenceRow:
    """The row of a day's adherence ``result`` beside what ``execution`` really did."""
    t = result.totals
    done = {(s.vehicle_id, sc.bins[s.bin_index].bin_id) for s in execution.services}
    misjudged = sum(
        (v.outcome is Outcome.SERVED) != ((v.vehicle_id, v.bin_id) in done)
        for v in result.visits()
        if v.outcome is not Outcome.UNPLANNED
    )
    return AdherenceRow(
        policy=policy,
        param=param,
        seed=seed,
        day=day,
        planned=t.planned,
        served=t.served,
        missed=t.missed,
        not_visited=len(result.not_visited),
        out_of_sequence=t.out_of_sequence,
        unplanned=t.unplanned,
        disagreements=t.disagreements,
        driven_km=t.driven_km,
        off_route_km=t.off_route_km,
        fixes=sum(x.fixes for x in result.trucks),
        reports=reports,
        done=len(done),
        misjudged=misjudged,
    )


def parse_adherence_csv(text: str) -> list[AdherenceRow]:
    """The rows of an ``adherence.csv`` text (header :data:`ADHERENCE_COLUMNS`)."""
    return parse_rows(text, AdherenceRow, "adherence.csv")
