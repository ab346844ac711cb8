"""Acceptance: on data with a known generating process the model beats both baselines."""

from __future__ import annotations

import pytest

from parking.baselines import fit_historical
from parking.evaluation import evaluate

HORIZONS = (0, 15, 60, 1440)


@pytest.fixture(scope="module")
def results(small_city):
    """Held-out scores of the fitted model and the baselines at the four horizons."""
    c = small_city
    train = c.table.between(int(c.table.t_min.min()), c.split_min)
    hist = fit_historical(train, c.model.tz, c.model.slot_min)
    return evaluate(c.model, hist, c.table, c.split_min, c.end_min, HORIZONS)


@pytest.mark.parametrize("i", range(len(HORIZONS)))
def test_model_beats_historical_average_on_brier(results, i):
    """At every horizon the model's Brier score is below the time-of-week average's."""
    s = results[i].scores
    assert s["model"]["brier"] < s["hist"]["brier"]


@pytest.mark.parametrize("i", range(len(HORIZONS)))
def test_model_beats_last_value_on_brier(results, i):
    """At every horizon the model's Brier score is below persistence of the last count."""
    s = results[i].scores
    assert s["model"]["brier"] < s["last"]["brier"]


@pytest.mark.parametrize("i", range(len(HORIZONS)))
def test_model_is_calibrated(results, i):
    """Expected calibration error on the held-out week is below 0.05 at every horizon."""
    assert results[i].scores["model"]["ece"] < 0.05


def test_evaluation_uses_every_test_target(results, small_city):
    """Each horizon scores the held-out counts that have an earlier count (all but none)."""
    c = small_city
    n_test = int(((c.table.t_min >= c.split_min) & (c.table.t_min < c.end_min)).sum())
    assert all(r.n == n_test for r in results)
