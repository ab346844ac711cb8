"""Probability calibration: isotonic recalibration and reliability curves (pure)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Calibrator:
    """A monotone non-decreasing map of raw to calibrated probabilities (piecewise linear)."""

    x: np.ndarray
    y: np.ndarray

    def __call__(self, p: np.ndarray) -> np.ndarray:
        if len(self.x) == 0:
            return np.asarray(p, dtype=float)
        return np.interp(p, self.x, self.y)


IDENTITY = Calibrator(np.zeros(0), np.zeros(0))


def fit_isotonic(
    p: np.ndarray, y: np.ndarray, min_block: int = 200, eps: float = 1e-3
) -> Calibrator:
    """Pool-adjacent-violators fit of ``y`` on ``p``, knots at block means, output in [eps, 1-eps].

    Blocks are first formed from at least ``min_block`` consecutive sorted predictions so that the
    map is smooth and not fitted to noise.
    """
    order = np.argsort(p, kind="stable")
    ps, ys = np.asarray(p, float)[order], np.asarray(y, float)[order]
    n_blocks = max(1, len(ps) // min_block)
    edges = np.linspace(0, len(ps), n_blocks + 1).astype(int)
    sums_y = np.add.reduceat(ys, edges[:-1]) if len(ps) else np.zeros(0)
    sums_p = np.add.reduceat(ps, edges[:-1]) if len(ps) else np.zeros(0)
    counts = np.diff(edges).astype(float)
    # PAVA over the initial blocks
    vy, vp, vc = [], [], []
    for sy, sp, c in zip(sums_y, sums_p, counts, strict=True):
        vy.append(sy)
        vp.append(sp)
        vc.append(c)
        while len(vy) > 1 and vy[-2] / vc[-2] >= vy[-1] / vc[-1]:
            sy2, sp2, c2 = vy.pop(), vp.pop(), vc.pop()
            vy[-1] += sy2
            vp[-1] += sp2
            vc[-1] += c2
    c_arr = np.array(vc)
    x = np.array(vp) / c_arr
    yv = np.clip(np.array(vy) / c_arr, eps, 1 - eps)
    # anchor the ends so the map covers [0, 1] and stays monotone
    x = np.concatenate([[0.0], x, [1.0]])
    yv = np.concatenate([[min(eps, yv[0])], yv, [max(1 - eps, yv[-1])]])
    keep = np.concatenate([[True], np.diff(x) > 0])
    return Calibrator(x[keep], yv[keep])


@dataclass(frozen=True, slots=True)
class Reliability:
    """Per probability bin: mean prediction, observed frequency, count."""

    mean_pred: np.ndarray
    frequency: np.ndarray
    count: np.ndarray


def reliability(p: np.ndarray, y: np.ndarray, n_bins: int = 10) -> Reliability:
    """Equal-width reliability curve; empty bins are dropped."""
    p = np.asarray(p, float)
    b = np.minimum((p * n_bins).astype(int), n_bins - 1)
    count = np.bincount(b, minlength=n_bins).astype(float)
    sp = np.bincount(b, weights=p, minlength=n_bins)
    sy = np.bincount(b, weights=np.asarray(y, float), minlength=n_bins)
    keep = count > 0
    return Reliability(sp[keep] / count[keep], sy[keep] / count[keep], count[keep])


def expected_calibration_error(p: np.ndarray, y: np.ndarray, n_bins: int = 10) -> float:
    """Count-weighted mean |frequency - mean prediction| over equal-width bins."""
    r = reliability(p, y, n_bins)
    if r.count.sum() == 0:
        return float("nan")
    return float((r.count * np.abs(r.frequency - r.mean_pred)).sum() / r.count.sum())


def ece_below(p: np.ndarray, y: np.ndarray, threshold: float = 0.8, n_bins: int = 10) -> float:
    """ECE over the forecasts below ``threshold`` only (NaN if there are none).

    Plain ECE is weighted by forecast mass, which for parking sits near 1; this figure shows how
    well the rarer low and middle probabilities, the ones that steer a driver away, are calibrated.
    """
    p, y = np.asarray(p, float), np.asarray(y, float)
    m = p < threshold
    return expected_calibration_error(p[m], y[m], n_bins)


def max_calibration_gap(
    p: np.ndarray, y: np.ndarray, n_bins: int = 10, min_count: int = 500
) -> float:
    """Largest |frequency - mean prediction| over bins of at least ``min_count`` forecasts.

    NaN if no bin is that full; thin bins are left out because their gap is mostly noise.
    """
    r = reliability(p, y, n_bins)
    full = r.count >= min_count
    if not full.any():
        return float("nan")
    return float(np.abs(r.frequency - r.mean_pred)[full].max())
