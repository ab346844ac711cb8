"""Scores for probabilistic and count forecasts (pure)."""

from __future__ import annotations

import numpy as np

from parking.isotonic import ece_below, expected_calibration_error, max_calibration_gap

LOG_LOSS_EPS = 1e-4


def brier(p: np.ndarray, y: np.ndarray) -> float:
    """Mean squared difference between probability and 0/1 outcome."""
    return float(np.mean((np.asarray(p, float) - np.asarray(y, float)) ** 2))


def log_loss(p: np.ndarray, y: np.ndarray, eps: float = LOG_LOSS_EPS) -> float:
    """Mean negative log-likelihood; probabilities clipped to [eps, 1-eps] (0/1 baselines)."""
    q = np.clip(np.asarray(p, float), eps, 1 - eps)
    y = np.asarray(y, float)
    return float(-np.mean(y * np.log(q) + (1 - y) * np.log(1 - q)))


def mae(pred: np.ndarray, actual: np.ndarray) -> float:
    """Mean absolute error."""
    return float(np.mean(np.abs(np.asarray(pred, float) - np.asarray(actual, float))))


def score(
    p: np.ndarray, expected_free: np.ndarray, free: np.ndarray, capacity: np.ndarray
) -> dict[str, float]:
    """Brier, log loss, ECE (all forecasts, those below 0.8, worst bin of ≥ 500), MAE of free
    spaces and MAE of the occupancy rate."""
    y = (np.asarray(free) > 0).astype(float)
    return {
        "brier": brier(p, y),
        "log_loss": log_loss(p, y),
        "ece": expected_calibration_error(p, y),
        "ece_low": ece_below(p, y),
        "max_gap": max_calibration_gap(p, y),
        "mae_free": mae(expected_free, free),
        "mae_rate": mae(np.asarray(expected_free) / capacity, np.asarray(free) / capacity),
    }
