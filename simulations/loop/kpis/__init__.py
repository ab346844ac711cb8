"""The study's measures: one function per module, each taking ``(results, after=warm_up)``.

``results`` are :class:`~simulations.loop.results.DayRow` rows of any number of policies,
settings and seeds; days before ``after`` (the warm-up) are left out; a measure is a total over
the remaining days, averaged over seeds, per (policy, setting).
"""

from simulations.loop.kpis.deposited import deposited_l
from simulations.loop.kpis.distance import km
from simulations.loop.kpis.overflow import overflow_l

__all__ = ["deposited_l", "km", "overflow_l"]
