"""Which kind of routing problem a :class:`~routing.vrp.model.ProblemData` is (pure): what decides
the engines a problem may go to."""

from __future__ import annotations

from routing.vrp.model import UNBOUNDED_S, ProblemData

# Above this many clients a city day (not a plain CVRP) is a whole-city day: OR-Tools no longer
# improves the constructed start in minutes (on the 4,500-bin benchmark day it returned it
# unchanged after 120 s), so the portfolio runs two seeded PyVRP searches on the whole problem
# (routing.vrp.portfolio.runs_for), and PyVRP keeps its wide neighbourhood there
# (routing.vrp.engines.pyvrp_engine)
WHOLE_CITY_FROM = 2000


def untimed_cvrp(data: ProblemData) -> bool:
    """No disposal site, break, time window or shift limit: only capacities bind (the plain
    CVRP that PyVRP models exactly, and the first condition for HGS-CVRP)."""
    untimed_clients = all(c.tw_early_s == 0 and c.tw_late_s >= UNBOUNDED_S for c in data.clients)
    untimed_fleet = all(
        vt.shift_start_s == 0 and min(vt.shift_end_s, vt.max_duration_s) >= UNBOUNDED_S
        for vt in data.vehicle_types
    )
    return (
        not data.disposal_sites and data.driver_break is None and untimed_clients and untimed_fleet
    )


def single_depot_cvrp(data: ProblemData) -> bool:
    """An untimed CVRP (:func:`untimed_cvrp`) with one depot and one vehicle type whose trucks
    start and end there empty, every client required: the textbook CVRP (OR-Tools' savings warm
    start, and the structure HGS-CVRP needs before its own numeric limits)."""
    if len(data.depots) != 1 or len(data.vehicle_types) != 1 or not untimed_cvrp(data):
        return False
    vt = data.vehicle_types[0]
    depot = data.depots[0].location
    return (
        vt.start_location == vt.end_location == depot
        and not any(vt.initial_load)
        and all(c.required for c in data.clients)
    )


def whole_city(data: ProblemData) -> bool:
    """A city day (not a plain CVRP) of more than :data:`WHOLE_CITY_FROM` clients."""
    return len(data.clients) > WHOLE_CITY_FROM and not untimed_cvrp(data)
