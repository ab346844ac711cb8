"""The study's measures: one function per module, each taking ``(results, after=warm_up)``.

``results`` are :class:`~simulations.loop.results.DayRow` rows of any number of policies,
settings and seeds (:class:`~simulations.loop.fill_rows.FillRow` rows for the fill measures);
days before ``after`` (the warm-up) are left out; a measure is a total over the remaining days,
averaged over seeds, per (policy, setting). :func:`seed_interval` gives a total's 95 %
t-interval across seeds; the calendar measures take the run's :class:`WorkWeek`.
"""

from simulations.loop.kpis.avoidable_overflow import FLOOR, avoidable_overflow_l
from simulations.loop.kpis.deposited import deposited_l
from simulations.loop.kpis.distance import km
from simulations.loop.kpis.driver_hours import drive_h, route_h
from simulations.loop.kpis.fill_histogram import fill_histogram
from simulations.loop.kpis.fill_share import share_below
from simulations.loop.kpis.interval import Interval, seed_interval, t_interval
from simulations.loop.kpis.km_per_collection import km_per_collection
from simulations.loop.kpis.off_day_overflow import off_day_overflow_l
from simulations.loop.kpis.overflow import overflow_l
from simulations.loop.kpis.overflow_by_bin import overflow_by_bin
from simulations.loop.kpis.work_day_overflow import work_day_overflow_l
from simulations.loop.kpis.workweek import WorkWeek, week_of_run

__all__ = [
    "FLOOR",
    "Interval",
    "WorkWeek",
    "avoidable_overflow_l",
    "deposited_l",
    "drive_h",
    "fill_histogram",
    "km",
    "km_per_collection",
    "off_day_overflow_l",
    "overflow_by_bin",
    "overflow_l",
    "route_h",
    "seed_interval",
    "share_below",
    "t_interval",
    "week_of_run",
    "work_day_overflow_l",
]
