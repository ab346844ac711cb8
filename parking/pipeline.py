"""Training for serving: score on a held-out final week, then refit on the whole window (pure)."""

from __future__ import annotations

from dataclasses import replace

from parking.baselines import fit_historical
from parking.evaluation import evaluate
from parking.fit import FitConfig, fit_model
from parking.model import ParkingModel, SiteInfo
from parking.table import ObservationTable

HORIZONS = (0, 15, 60, 1440)


def train_for_serving(
    table: ObservationTable,
    sites: SiteInfo,
    tz: str,
    config: FitConfig | None = None,
    holdout_days: float = 7.0,
    max_targets: int = 100_000,
) -> ParkingModel:
    """A model fitted on all of ``table`` whose ``meta`` records its window and held-out scores."""
    config = config or FitConfig()
    end = int(table.t_min.max()) + 1
    split = end - int(holdout_days * 1440)
    start = int(table.t_min.min())
    metrics: dict[str, dict[str, dict[str, float]]] = {}
    if split - start >= 14 * 1440:
        train = table.between(start, split)
        scored = fit_model(train, sites, tz, config)
        hist = fit_historical(train, tz, scored.slot_min)
        for r in evaluate(scored, hist, table, split, end, HORIZONS, max_targets, config.seed):
            metrics[f"h{r.horizon_min}"] = r.scores
    model = fit_model(table, sites, tz, config)
    return replace(
        model, meta={**model.meta, "holdout_days": holdout_days, "holdout_metrics": metrics}
    )
