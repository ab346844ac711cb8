"""The ground truth the simulator keeps and no policy sees: contents, collections, overflow.

Per bin, since its last emptying at ``base_t`` with ``base_l`` litres inside, the litter that
arrived is ``raw(t) = base_l + D(t) - D(base_t)`` (``D`` the cumulative deposit). The bin holds
``min(raw, capacity)``; the rest is overflow (litter beside the bin), counted in litres and in
bin-hours from the moment ``raw`` reaches the capacity. Emptying collects the content and closes
the period. Nothing leaves the ledger, so at every time, per bin,

    initial + deposited = collected + in bin + overflowed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from simulations.loop.demand import Deposits

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Ledger:
    """Cumulative per-bin figures at one instant (litres, and hours for ``overflow_h``)."""

    t_h: float
    initial: FloatArray
    deposited: FloatArray  # since t = 0, excluding the initial content
    collected: FloatArray
    overflow_l: FloatArray
    overflow_h: FloatArray
    in_bin: FloatArray
    emptied: npt.NDArray[np.int64]  # number of emptyings so far

    def imbalance(self) -> FloatArray:
        """initial + deposited - collected - in bin - overflowed, per bin (zero up to rounding)."""
        return self.initial + self.deposited - self.collected - self.in_bin - self.overflow_l


class GroundTruth:
    """Bin contents over time under the seed's deposits and the emptyings applied so far."""

    def __init__(self, deposits: Deposits, capacity_l: npt.ArrayLike) -> None:
        self.deposits = deposits
        self.capacity = np.asarray(capacity_l, dtype=np.float64)
        n = self.capacity.size
        if deposits.initial.shape != (n,):
            raise ValueError("deposits and capacities must cover the same bins.")
        self.base_t = np.zeros(n)
        self.base_l = deposits.initial.copy()
        self.base_cum = np.zeros(n)  # D(base_t)
        self.closed_overflow_l = np.zeros(n)
        self.closed_overflow_h = np.zeros(n)
        self.collected = np.zeros(n)
        self.emptied = np.zeros(n, dtype=np.int64)
        self.now = 0.0

    @property
    def n_bins(self) -> int:
        return int(self.capacity.size)

    def _raw(self, t_h: float) -> FloatArray:
        return self.base_l + self.deposits.cum_at(t_h) - self.base_cum

    def content(self, t_h: float) -> FloatArray:
        """Litres in each bin at ``t_h`` (not before the last event applied)."""
        self._check_time(t_h)
        return np.minimum(self._raw(t_h), self.capacity)

    def content_of(self, b: int, t_h: float) -> float:
        """Litres in bin ``b`` at ``t_h``, assuming it is not emptied before then."""
        if t_h < self.base_t[b]:
            raise ValueError(f"bin {b}: time {t_h} is before its last emptying.")
        raw = self.base_l[b] + self.deposits.cum_at_bin(b, t_h) - self.base_cum[b]
        return float(min(raw, self.capacity[b]))

    def _overflow_start(self, b: int) -> float:
        """When bin ``b``'s current period reaches the capacity (inf: not within the horizon)."""
        if self.base_l[b] >= self.capacity[b]:
            return float(self.base_t[b])
        return self.deposits.time_reaching(b, self.base_cum[b] + self.capacity[b] - self.base_l[b])

    def _open_overflow(self, t_h: float) -> tuple[FloatArray, FloatArray]:
        raw = self._raw(t_h)
        litres = np.maximum(raw - self.capacity, 0.0)
        hours = np.zeros(self.n_bins)
        for b in np.flatnonzero(litres > 0):
            hours[b] = max(0.0, t_h - self._overflow_start(int(b)))
        return litres, hours

    def _check_time(self, t_h: float) -> None:
        if t_h < self.now - 1e-9:
            raise ValueError(f"time {t_h} is before the last event applied ({self.now}).")

    def empty(self, b: int, t_h: float) -> float:
        """Empty bin ``b`` at ``t_h``: returns the litres collected (events in time order)."""
        self._check_time(t_h)
        if t_h < self.base_t[b]:
            raise ValueError(f"bin {b}: emptied at {t_h}, before its last emptying.")
        self.now = float(t_h)
        raw = self.base_l[b] + self.deposits.cum_at_bin(b, t_h) - self.base_cum[b]
        content = min(raw, self.capacity[b])
        if raw > self.capacity[b]:
            self.closed_overflow_l[b] += raw - self.capacity[b]
            self.closed_overflow_h[b] += max(0.0, t_h - self._overflow_start(b))
        self.collected[b] += content
        self.emptied[b] += 1
        self.base_t[b] = t_h
        self.base_l[b] = 0.0
        self.base_cum[b] = self.deposits.cum_at_bin(b, t_h)
        return float(content)

    def ledger(self, t_h: float) -> Ledger:
        """The cumulative figures at ``t_h``."""
        self._check_time(t_h)
        open_l, open_h = self._open_overflow(t_h)
        return Ledger(
            t_h=float(t_h),
            initial=self.deposits.initial.copy(),
            deposited=self.deposits.cum_at(t_h).copy(),
            collected=self.collected.copy(),
            overflow_l=self.closed_overflow_l + open_l,
            overflow_h=self.closed_overflow_h + open_h,
            in_bin=self.content(t_h),
            emptied=self.emptied.copy(),
        )
