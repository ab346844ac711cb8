"""The model's probabilities: range, monotonicity, decay of the latest count, explanations."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parking.model import forecast, predict_slots
from parking.table import from_minutes


def _at(small_city, minutes_after_split=0):
    return from_minutes(small_city.split_min + minutes_after_split)


@settings(max_examples=60, deadline=None)
@given(
    site=st.integers(0, 31),
    slot=st.integers(0, 335),
    free_share=st.floats(0, 1),
    lead=st.floats(0, 20_000),
    with_count=st.booleans(),
)
def test_probabilities_and_expectations_stay_in_range(
    small_city, site, slot, free_share, lead, with_count
):
    """P(free) lies in [0, 1] and the expected count in [0, capacity] for any input."""
    m = small_city.model
    cap = int(m.sites.capacity[site])
    lf = np.array([round(free_share * cap) if with_count else np.nan], dtype=float)
    p, e = predict_slots(
        m, np.array([site]), np.array([slot]), np.array([slot]), lf, np.array([lead])
    )
    assert 0.0 <= p[0] <= 1.0
    assert 0.0 <= e[0] <= cap


@pytest.mark.parametrize("lead", [5, 15, 60])
def test_more_free_now_never_lowers_probability(small_city, lead):
    """For every site, P(free) at a short lead is non-decreasing in the count seen now."""
    m = small_city.model
    for site in range(len(m.sites.site_ids)):
        cap = int(m.sites.capacity[site])
        free = np.arange(cap + 1, dtype=float)
        n = len(free)
        slot = np.full(n, 200)
        p, e = predict_slots(m, np.full(n, site), slot, slot, free, np.full(n, float(lead)))
        assert np.all(np.diff(p) >= -1e-12), m.sites.site_ids[site]
        assert np.all(np.diff(e) >= -1e-9)


def test_latest_count_matters_now_and_fades_with_lead(small_city):
    """The gap between 'full now' and 'many free now' shrinks from 5 minutes to 3 days ahead."""
    m = small_city.model
    site = 0
    cap = float(m.sites.capacity[site])
    gaps = []
    for lead in (5.0, 60.0, 4320.0):
        p, _ = predict_slots(
            m,
            np.array([site, site]),
            np.array([150, 150]),
            np.array([150, 150]),
            np.array([0.0, cap]),
            np.array([lead, lead]),
        )
        gaps.append(p[1] - p[0])
    assert gaps[0] > 0.3
    assert gaps[0] > gaps[1] > gaps[2]


def test_forecast_without_count_is_the_profile_view(small_city):
    """Without a latest count the forecast reports no state and zero state weight."""
    c = small_city
    f = forecast(c.model, c.sites.site_ids[3], _at(c))
    assert f.last_free is None and f.lead_min is None and f.state_weight == 0.0
    assert 0.0 <= f.profile_own_weight <= 1.0


def test_forecast_explains_its_latest_count(small_city):
    """A forecast with a count reports that count, its lead and a state weight in [0, 1]."""
    c = small_city
    at = _at(c, 120)
    f = forecast(
        c.model, c.sites.site_ids[3], at, last_free=2, last_seen=at - timedelta(minutes=30)
    )
    assert f.last_free == 2 and f.lead_min == pytest.approx(30)
    assert 0.0 <= f.state_weight <= 1.0


def test_forecast_rejects_counts_from_the_future(small_city):
    """A latest count observed after the forecast time is an error, not silently used."""
    c = small_city
    at = _at(c)
    with pytest.raises(ValueError, match="last_seen"):
        forecast(c.model, c.sites.site_ids[0], at, last_free=1, last_seen=at + timedelta(minutes=5))


def test_unknown_site_is_named(small_city):
    """Asking for a site the model does not know raises KeyError naming it."""
    with pytest.raises(KeyError, match="nowhere"):
        forecast(small_city.model, "nowhere", _at(small_city))
