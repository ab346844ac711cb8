"""Probability calibration: isotonic recalibration, reliability table and ECE. Pure.

A :class:`Calibrator` maps a raw probability to the observed frequency of the event among
predictions like it. It is fitted by pool-adjacent-violators (a non-decreasing step function of
the raw probability, interpolated linearly between block centres) on predictions made *before*
the period it is applied to, never on that period.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Calibrator:
    """Non-decreasing map raw -> calibrated probability (identity when ``knots_x`` is empty)."""

    knots_x: tuple[float, ...] = ()
    knots_y: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if len(self.knots_x) != len(self.knots_y):
            raise ValueError("calibrator knots_x and knots_y must have the same length.")
        if any(b < a for a, b in zip(self.knots_x, self.knots_x[1:], strict=False)):
            raise ValueError("calibrator knots_x must be non-decreasing.")
        if any(not 0.0 <= y <= 1.0 for y in self.knots_y):
            raise ValueError("calibrator knots_y must be probabilities.")

    @property
    def is_identity(self) -> bool:
        return not self.knots_x

    def apply(self, p: npt.ArrayLike) -> FloatArray:
        """Calibrated probabilities for raw probabilities ``p`` (clipped to [0, 1])."""
        raw = np.clip(np.asarray(p, dtype=float), 0.0, 1.0)
        if self.is_identity:
            return raw
        return np.interp(raw, np.asarray(self.knots_x), np.asarray(self.knots_y))


def fit_isotonic(p: npt.ArrayLike, outcome: npt.ArrayLike, min_samples: int = 50) -> Calibrator:
    """Isotonic (PAV) calibrator of raw probabilities ``p`` against 0/1 ``outcome``.

    With fewer than ``min_samples`` pairs there is too little to learn from: the identity.
    """
    x = np.clip(np.asarray(p, dtype=float), 0.0, 1.0)
    y = np.asarray(outcome, dtype=float)
    if x.shape != y.shape:
        raise ValueError("p and outcome must have the same shape.")
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if len(x) < min_samples:
        return Calibrator()
    order = np.argsort(x, kind="stable")
    x, y = x[order], y[order]
    # blocks: [sum y, count, sum x]; merge while the previous block's mean is above the new one
    sums: list[float] = []
    counts: list[float] = []
    xs: list[float] = []
    for xi, yi in zip(x.tolist(), y.tolist(), strict=True):
        sums.append(yi)
        counts.append(1.0)
        xs.append(xi)
        while len(sums) > 1 and sums[-2] / counts[-2] >= sums[-1] / counts[-1]:
            s, c, sx = sums.pop(), counts.pop(), xs.pop()
            sums[-1] += s
            counts[-1] += c
            xs[-1] += sx
    kx = np.array(xs) / np.array(counts)
    ky = np.array(sums) / np.array(counts)
    return Calibrator(tuple(kx.tolist()), tuple(np.clip(ky, 0.0, 1.0).tolist()))


@dataclass(frozen=True, slots=True)
class ReliabilityRow:
    """One bin of a reliability diagram."""

    lo: float
    hi: float
    count: int
    mean_predicted: float
    observed_rate: float


def reliability(p: npt.ArrayLike, outcome: npt.ArrayLike, n_bins: int = 10) -> list[ReliabilityRow]:
    """Equal-width reliability table of probabilities ``p`` against 0/1 ``outcome``.

    Pairs with a non-finite probability or outcome are left out.
    """
    if n_bins < 1:
        raise ValueError("n_bins must be positive.")
    x = np.clip(np.asarray(p, dtype=float), 0.0, 1.0)
    y = np.asarray(outcome, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    idx = np.minimum((x * n_bins).astype(int), n_bins - 1)
    rows = []
    for b in range(n_bins):
        m = idx == b
        n = int(m.sum())
        rows.append(
            ReliabilityRow(
                b / n_bins,
                (b + 1) / n_bins,
                n,
                float(x[m].mean()) if n else float("nan"),
                float(y[m].mean()) if n else float("nan"),
            )
        )
    return rows


def expected_calibration_error(p: npt.ArrayLike, outcome: npt.ArrayLike, n_bins: int = 10) -> float:
    """ECE: count-weighted mean |observed rate - mean predicted| over equal-width bins."""
    rows = reliability(p, outcome, n_bins)
    total = sum(r.count for r in rows)
    if total == 0:
        return float("nan")
    return sum(r.count * abs(r.observed_rate - r.mean_predicted) for r in rows if r.count) / total
