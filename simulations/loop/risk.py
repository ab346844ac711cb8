"""Overflow risk from fill forecasts: predicted levels and the probability of overflowing.

Pure and vectorised over bins. A forecast grows linearly on its bin's effective clock (the
weekly profile): ``level(t) = level_now + rate * (H(t) - H(as_of))``. Its rate band (low, high
quantiles) gives a lognormal rate whose log-sd is floored at ``min_log_sd`` (day-to-day litter
varies more than one bin's segment rates show) and capped at ``max_log_sd`` (a band from a
near-zero low end would otherwise promise unbounded litres), and whose mid value is at least
``min_rate_share`` of the median bin's (a stuck sensor's flat series says little), and the
current level is uncertain by ``level_sd``; the probability that the bin holds its whole
capacity by ``t`` is integrated over the level error with Gauss-Hermite nodes. A forecast from
few observations (a bin without a sensor, known from drivers' reports that say "full" however
much overflowed) has a log-sd of at least ``sparse_log_sd``.

The probability then passes through the model's :class:`~forecasting.calibration.Calibrator`
(isotonic, fitted on an earlier backtest's predictions and outcomes; the identity by default).
On the Edinburgh backtest (``benchmarks/forecast_edinburgh.py``) the raw probability has an ECE
of 0.145; through a calibrator refitted every week on earlier weeks only, 0.032 (2026-11-30).
A monotone calibration keeps the order of the bins, so selection by a threshold
sweep is unchanged; it makes the probability itself mean what it says.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
from scipy.special import ndtr

from core.domain import Bin
from forecasting import weekly_profile as wp
from forecasting.calibration import Calibrator
from forecasting.forecast import FillForecast

FloatArray = npt.NDArray[np.float64]
_NODES, _WEIGHTS = np.polynomial.hermite_e.hermegauss(7)
_WEIGHTS = _WEIGHTS / _WEIGHTS.sum()
BAND_Z = 1.2815515655446004  # standard normal 90 % quantile: the forecaster's (0.1, 0.9) band
UNKNOWN_P = 0.5  # overflow probability of a bin nothing is known about


@dataclass(frozen=True)
class RiskModel:
    """Uncertainty added to the forecasts when judging overflow."""

    min_log_sd: float = 0.25
    level_sd: float = 0.05
    min_rate_share: float = 0.25  # a bin's rate is at least this share of the median bin's
    max_log_sd: float = 1.5  # a band wider than e^(2 x 1.28 x 1.5), 47x, says no more than that
    max_excess: float = 10.0  # expected overflow is at most this many bins' worth
    # A forecast from fewer observations than ``sparse_obs`` (a bin without a sensor: a few
    # drivers' reports, whose "full" hides how much overflowed) has at least ``sparse_log_sd``.
    sparse_obs: int = 24
    sparse_log_sd: float = 0.8
    calibrator: Calibrator = Calibrator()  # raw -> calibrated P(overflow); identity by default

    def __post_init__(self) -> None:
        if self.min_log_sd <= 0 or self.level_sd < 0:
            raise ValueError("min_log_sd must be positive and level_sd non-negative.")
        if self.max_log_sd < self.min_log_sd or self.max_excess <= 0:
            raise ValueError("max_log_sd must be at least min_log_sd and max_excess positive.")
        if self.sparse_obs < 0 or not self.min_log_sd <= self.sparse_log_sd <= self.max_log_sd:
            raise ValueError("sparse_obs must be >= 0, sparse_log_sd in [min_log_sd, max_log_sd].")
        if not 0 <= self.min_rate_share <= 1:
            raise ValueError("min_rate_share must be in [0, 1].")


@dataclass(frozen=True, eq=False)
class Outlook:
    """Per bin (inventory order): level now, mid rate per effective hour and its log-sd."""

    known: npt.NDArray[np.bool_]
    level_now: FloatArray
    rate: FloatArray
    log_sd: FloatArray
    as_of_h: FloatArray  # local hours on the weekly-profile epoch (see forecasting)
    cum: FloatArray  # (n, 169) effective-clock profile per bin

    def effective_hours(self, until: datetime, tz: str) -> FloatArray:
        """Effective hours from each forecast's ``as_of`` to ``until`` (zero if before)."""
        rows = np.arange(self.level_now.size)
        h_to = np.full(rows.size, wp.local_hours(until, ZoneInfo(tz)))
        e0 = wp.effective_clock(self.as_of_h, self.cum, rows)
        e1 = wp.effective_clock(np.maximum(h_to, self.as_of_h), self.cum, rows)
        return np.maximum(e1 - e0, 0.0)

    def level_at(self, at: datetime, tz: str) -> FloatArray:
        """Central predicted fillingLevel at ``at`` (capped at 1; unknown bins count as full)."""
        lv = self.level_now + self.rate * self.effective_hours(at, tz)
        return np.where(self.known, np.minimum(lv, 1.0), 1.0)

    def overflow(self, until: datetime, tz: str, model: RiskModel) -> tuple[FloatArray, FloatArray]:
        """Per bin, the (calibrated) probability of reaching full capacity by ``until`` and the
        expected overflow then (a fraction of the capacity: what would not fit).

        With ``r`` lognormal (log-mean ``m``, log-sd ``s``), ``k = need / dh`` and
        ``x = (ln k - m) / s``: ``P = 1 - Phi(x)`` and
        ``E[(r dh - need)+] = dh exp(m + s^2 / 2) Phi(s - x) - need (1 - Phi(x))``.
        """
        dh = self.effective_hours(until, tz)
        p = np.zeros(self.level_now.size)
        excess = np.zeros(self.level_now.size)
        m, sd = np.log(np.maximum(self.rate, 1e-9)), self.log_sd
        for z, w in zip(_NODES, _WEIGHTS, strict=True):
            need = 1.0 - self.level_now - z * model.level_sd
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                x = (np.log(np.maximum(need, 1e-12) / dh) - m) / sd
                tail = 1.0 - ndtr(x)
                mean_above = dh * np.exp(m + sd**2 / 2) * ndtr(sd - x) - need * tail
            grows = dh > 0
            p += w * np.where(need <= 0, 1.0, np.where(grows, tail, 0.0))
            over_now = -need + self.rate * dh  # already over: all further litter overflows
            excess += w * np.where(need <= 0, over_now, np.where(grows, mean_above, 0.0))
        p = np.where(self.known, model.calibrator.apply(p), UNKNOWN_P)
        excess = np.clip(np.nan_to_num(excess, nan=0.0, posinf=model.max_excess), 0.0, None)
        return p, np.where(self.known, np.minimum(excess, model.max_excess), UNKNOWN_P)

    def p_overflow(self, until: datetime, tz: str, model: RiskModel) -> FloatArray:
        """Probability that each bin reaches its full capacity by ``until``."""
        return self.overflow(until, tz, model)[0]


def outlook(
    bins: Sequence[Bin], forecasts: Mapping[str, FillForecast], model: RiskModel
) -> Outlook:
    """The forecasts of ``bins`` as arrays (a bin without a usable forecast is unknown)."""
    n = len(bins)
    known = np.zeros(n, dtype=bool)
    level = np.zeros(n)
    rate = np.zeros(n)
    log_sd = np.full(n, model.min_log_sd)
    as_of = np.zeros(n)
    cum = np.tile(wp.WeeklyProfile.flat().cumulative(), (n, 1))
    for i, b in enumerate(bins):
        f = forecasts.get(b.bin_id)
        if f is None or f.level_now is None or f.as_of is None:
            continue
        known[i] = True
        level[i] = f.level_now
        rate[i] = f.rate_per_h
        lo, hi = max(f.rate_low_per_h, 1e-9), max(f.rate_high_per_h, 1e-9)
        band_sd = float(np.log(hi / lo)) / (2 * BAND_Z)
        floor = model.sparse_log_sd if f.n_obs < model.sparse_obs else model.min_log_sd
        log_sd[i] = min(max(floor, band_sd), model.max_log_sd)
        as_of[i] = wp.local_hours(f.as_of, ZoneInfo(f.tz))
        cum[i] = f.profile.cumulative()
    if known.any():  # a flat series (stuck sensor, quiet night) must not read as "never fills"
        rate = np.maximum(rate, model.min_rate_share * float(np.median(rate[known])))
    return Outlook(known, level, rate, log_sd, as_of, cum)
