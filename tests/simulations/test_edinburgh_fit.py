"""Tests for simulations.edinburgh_fit: the fit on real Edinburgh data matches the baked
constants."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.settings import DEFAULT_DATA_DIR
from simulations import fill_model
from simulations.edinburgh_fit import fit, fit_file, interval_rates

CSV = DEFAULT_DATA_DIR / "bins" / "edinburgh_enevo_collections_2016.csv"


def test_fit_on_real_csv_reproduces_baked_constants() -> None:
    """Fitting the Edinburgh CSV gives the lognormal and weekday numbers baked in fill_model."""
    if not CSV.exists():
        pytest.skip("Edinburgh CSV not present")
    cal = fit_file(CSV)
    assert cal.log_mu == pytest.approx(fill_model.FITTED_LOG_MU, abs=1e-3)
    assert cal.log_sigma == pytest.approx(fill_model.FITTED_LOG_SIGMA, abs=1e-3)
    assert np.allclose(cal.weekday_factor, fill_model.FITTED_WEEKDAY, atol=1e-3)


def test_interval_rate_uses_full_mark_at_80_percent() -> None:
    """fill_before 100 after 2 days is 0.8 of the bin over 2 days = 0.4 per day."""
    df = pd.DataFrame(
        {
            "site_id": [1, 1],
            "collected_at_local": pd.to_datetime(["2016-06-01T08:00", "2016-06-03T08:00"]),
            "fill_before_pct": [50, 100],
        }
    )
    rates = interval_rates(df)
    assert rates["rate"].tolist() == [pytest.approx(0.4)]


def test_fit_recovers_synthetic_lognormal() -> None:
    """On synthetic bins with known lognormal rates the fit recovers mu and sigma."""
    rng = np.random.default_rng(0)
    rows = []
    true = rng.lognormal(-1.0, 0.5, size=300)
    for k, r in enumerate(true):
        for d in range(1, 6):
            rows.append(
                (k, pd.Timestamp("2016-06-01") + pd.Timedelta(days=2 * d), r * 2 / 0.8 * 100)
            )
    df = pd.DataFrame(rows, columns=["site_id", "collected_at_local", "fill_before_pct"])
    cal = fit(df)
    assert cal.log_mu == pytest.approx(np.log(true).mean(), abs=0.01)
    assert cal.log_sigma == pytest.approx(np.log(true).std(ddof=1), abs=0.01)
