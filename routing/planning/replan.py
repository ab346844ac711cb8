"""Mid-day re-planning: the rest of the day from the trucks' current positions. Pure."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from routing.planning.day_builder import DayBuilder, TruckState
from routing.planning.day_problem import DayProblem
from routing.vrp.model import LocationKind

__all__ = ["TruckState", "replan"]


def replan(
    problem: DayProblem,
    now: datetime,
    trucks: Sequence[TruckState],
    emptied: Collection[str],
) -> DayProblem:
    """The rest of the day: bins not yet emptied, for ``trucks`` leaving their positions at ``now``.

    Built by the day plan's :class:`~routing.planning.day_builder.DayBuilder`: each truck is a
    vehicle type of its own that starts at its position (a plain location of the model) at
    ``now`` (or its shift start, if later) with the load it carries as its initial load, and
    ends at its home depot; travel from the position is the truck's rows. Trucks not in
    ``trucks`` get no route. Bins in ``emptied`` are dropped; the rest keep their demand,
    required flag and prize.
    """
    old = problem.data
    n_old = old.num_locations
    now_s = round((now - problem.midnight).total_seconds())
    if not trucks:
        raise ValueError("replan needs at least one truck.")
    if LocationKind.PLAIN in old.kinds:
        raise ValueError("replan from the day's original problem (emptied bins accumulate).")
    for t in trucks:
        if t.vehicle_id not in problem.vehicles:
            raise ValueError(f"unknown truck {t.vehicle_id}.")
        if t.time_to_s.shape != (n_old,) or t.dist_to_m.shape != (n_old,):
            raise ValueError(f"truck {t.vehicle_id}: travel rows must cover the {n_old} locations.")
    gone = set(emptied)
    vehicles = [problem.vehicles[t.vehicle_id] for t in trucks]
    homes = {problem.depot_location[v.depot_id] for v in vehicles}
    site, street, point = problem.location_site, problem.location_street, problem.location_point
    b = DayBuilder(problem.config)
    for d in old.depots:
        if d.location in homes:
            b.add_depot(site[d.location], street[d.location], d.location, point[d.location])
    for s in old.disposal_sites:
        b.add_disposal_site(site[s.location], street[s.location], s.location, point[s.location])
    for c in old.clients:
        bin_ = problem.location_bin[c.location]
        if bin_.bin_id not in gone:
            b.add_bin(
                bin_,
                (c.demand[0], c.demand[1]),
                required=c.required,
                prize=c.prize,
                street=street[c.location],
                source=c.location,
                point=point[c.location],
            )
    b.add_trucks(vehicles, trucks, now_s)
    inputs = {**problem.inputs, "replanned_at": now.isoformat(), "emptied": sorted(gone)}
    return b.build(problem.plan_date, old.duration, old.distance, inputs)
