"""Held-out evaluation at fixed horizons (pure).

Horizon h: forecast the count observed at T from the counts observed strictly before T − h. At
h = 0 this is "now" with the latest report one reporting interval old; allowing the count at T
itself would make h = 0 a lookup.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from parking.baselines import HistoricalAverage, last_value, week_earlier
from parking.metrics import score
from parking.model import ParkingModel, predict_times
from parking.table import ObservationTable, last_before

METHODS = ("model", "hist", "last")


@dataclass(frozen=True, slots=True)
class HorizonResult:
    """Scores per method at one horizon, with the arrays needed for reliability plots."""

    horizon_min: int
    n: int
    scores: dict[str, dict[str, float]]
    p: dict[str, np.ndarray]
    y: np.ndarray


def evaluate_horizon(
    model: ParkingModel,
    hist: HistoricalAverage,
    table: ObservationTable,
    targets: np.ndarray,
    horizon_min: int,
) -> HorizonResult:
    """Scores of model and baselines for target rows ``targets`` of ``table`` (full history)."""
    site, t = table.site[targets], table.t_min[targets]
    last = last_before(table, site, t - horizon_min, strict=True)
    ok = last >= 0
    site, t, last, tgt = site[ok], t[ok], last[ok], targets[ok]
    free, cap = table.free[tgt], table.capacity[tgt]
    p_m, e_m = predict_times(
        model, site, t, table.free[last].astype(float), table.t_min[last].astype(float)
    )
    p_h, e_h = hist.predict(site, t)
    p_l, e_l = last_value(table, last)
    scores = {
        "model": score(p_m, e_m, free, cap),
        "hist": score(p_h, e_h, free, cap),
        "last": score(p_l, e_l, free, cap),
    }
    wk = week_earlier(table, site, t)
    if horizon_min < 7 * 1440 and (wk >= 0).any():
        m = wk >= 0
        p_w, e_w = last_value(table, wk[m])
        scores["week"] = {**score(p_w, e_w, free[m], cap[m]), "coverage": float(m.mean())}
    return HorizonResult(
        horizon_min,
        int(ok.sum()),
        scores,
        {"model": p_m, "hist": p_h, "last": p_l},
        (free > 0).astype(float),
    )


def evaluate(
    model: ParkingModel,
    hist: HistoricalAverage,
    table: ObservationTable,
    test_start_min: int,
    test_end_min: int,
    horizons: tuple[int, ...],
    max_targets: int | None = None,
    seed: int = 0,
) -> list[HorizonResult]:
    """Every horizon over the test rows (optionally a seeded sample of them)."""
    targets = np.flatnonzero((table.t_min >= test_start_min) & (table.t_min < test_end_min))
    if max_targets is not None and len(targets) > max_targets:
        targets = np.sort(np.random.default_rng(seed).choice(targets, max_targets, replace=False))
    return [evaluate_horizon(model, hist, table, targets, h) for h in horizons]
