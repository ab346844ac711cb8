"""Logistic regression with sign constraints on coefficients (pure; scipy L-BFGS-B).

Sign constraints keep the model monotone where it must be: seeing more free spaces now can only
raise the probability of finding one later.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.optimize import minimize


def fit_logistic(
    x: np.ndarray,
    y: np.ndarray,
    bounds: Sequence[tuple[float | None, float | None]],
    l2: float = 1e-4,
) -> np.ndarray:
    """Coefficients minimising mean log loss + ``l2``·|w|² (intercept = column 0, unpenalised)."""
    if x.ndim != 2 or len(x) != len(y) or x.shape[1] != len(bounds):
        raise ValueError("x must be (n, k) with n labels and k bounds.")
    y = np.asarray(y, dtype=float)
    n = len(y)
    pen = np.full(x.shape[1], l2)
    pen[0] = 0.0

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = x @ w
        # log(1 + e^z) - y z, computed stably
        value = np.logaddexp(0.0, z) - y * z
        p = 1.0 / (1.0 + np.exp(-z))
        grad = x.T @ (p - y) / n + 2 * pen * w
        return float(value.mean() + (pen * w * w).sum()), grad

    w0 = np.zeros(x.shape[1])
    base = np.clip(y.mean(), 1e-4, 1 - 1e-4)
    w0[0] = np.log(base / (1 - base))
    res = minimize(loss, w0, jac=True, method="L-BFGS-B", bounds=list(bounds))
    return np.asarray(res.x)


def expit(z: np.ndarray) -> np.ndarray:
    """The logistic function, without overflow warnings."""
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=float)))
