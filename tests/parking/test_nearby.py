"""Serving: nearby sites ranked by probability and walk, with a best bet."""

from __future__ import annotations

import math
from datetime import timedelta

import numpy as np
import pytest

from core.records import ParkingObservation
from parking.nearby import QueryOptions, latest_counts, nearby
from parking.table import from_minutes


def _centre(small_city):
    s = small_city.model.sites
    return float(np.nanmean(s.lon)), float(np.nanmean(s.lat))


def test_only_sites_within_radius_are_returned(small_city):
    """Every candidate lies within the radius (straight line), walking distance includes detour."""
    lon, lat = _centre(small_city)
    ans = nearby(
        small_city.model,
        lon,
        lat,
        800.0,
        from_minutes(small_city.split_min),
        options=QueryOptions(limit=50),
    )
    assert ans.candidates
    for c in ans.candidates:
        dx = math.radians(c.lon - lon) * math.cos(math.radians(lat)) * 6_371_000
        dy = math.radians(c.lat - lat) * 6_371_000
        assert math.hypot(dx, dy) <= 800.0 + 1e-6
        assert c.walk_m == pytest.approx(math.hypot(dx, dy) * 1.3, rel=1e-6)


def test_candidates_are_ranked_by_score(small_city):
    """Scores are non-increasing and equal P(free)·exp(−walk/scale)."""
    lon, lat = _centre(small_city)
    ans = nearby(small_city.model, lon, lat, 1500.0, from_minutes(small_city.split_min))
    scores = [c.score for c in ans.candidates]
    assert scores == sorted(scores, reverse=True)
    assert all(
        c.score == pytest.approx(c.p_free * math.exp(-c.walk_m / 400.0)) for c in ans.candidates
    )


def test_best_bet_is_nearest_likely_site_or_top_ranked(small_city):
    """The best bet reaches the target probability and is the nearest such, else top-ranked."""
    lon, lat = _centre(small_city)
    for target in (0.5, 0.99999):
        opts = QueryOptions(target_p=target, limit=50)
        ans = nearby(
            small_city.model, lon, lat, 1500.0, from_minutes(small_city.split_min), options=opts
        )
        likely = [c for c in ans.candidates if c.p_free >= target]
        if likely:
            assert ans.best_bet == min(likely, key=lambda c: c.walk_m)
        else:
            assert ans.best_bet == ans.candidates[0]


def test_empty_answer_far_from_every_site(small_city):
    """A point far outside the city gets no candidates and no best bet."""
    ans = nearby(small_city.model, 10.0, 50.0, 500.0, from_minutes(small_city.split_min))
    assert ans.candidates == () and ans.best_bet is None


def test_latest_counts_drive_short_term_answers(small_city):
    """A site seen full a minute ago ranks with lower probability than the same site seen empty."""
    m = small_city.model
    site_id = m.sites.site_ids[0]
    at = from_minutes(small_city.split_min)
    lon, lat = float(m.sites.lon[0]), float(m.sites.lat[0])
    cap = int(m.sites.capacity[0])
    p = {}
    for free in (0, cap):
        latest = latest_counts(
            m, [ParkingObservation(site_id, at - timedelta(minutes=1), free, cap)]
        )
        ans = nearby(m, lon, lat, 1.0, at, latest)
        p[free] = ans.candidates[0].p_free
        assert ans.candidates[0].last_free == free
    assert p[cap] > p[0]


def test_counts_newer_than_arrival_are_ignored(small_city):
    """A count observed after the arrival time is not used for that arrival."""
    m = small_city.model
    at = from_minutes(small_city.split_min)
    obs = ParkingObservation(
        m.sites.site_ids[0], at + timedelta(minutes=10), 0, int(m.sites.capacity[0])
    )
    ans = nearby(m, float(m.sites.lon[0]), float(m.sites.lat[0]), 1.0, at, latest_counts(m, [obs]))
    assert ans.candidates[0].last_free is None


def test_latest_counts_keep_the_newest_and_skip_unknown_sites(small_city):
    """Of two counts the newer wins; counts of unknown sites are ignored."""
    m = small_city.model
    at = from_minutes(small_city.split_min)
    sid, cap = m.sites.site_ids[1], int(m.sites.capacity[1])
    latest = latest_counts(
        m,
        [
            ParkingObservation(sid, at, 3, cap),
            ParkingObservation(sid, at - timedelta(minutes=5), 1, cap),
            ParkingObservation("ghost", at, 1, 5),
        ],
    )
    assert latest.free[1] == 3 and np.isnan(latest.free[0])


def test_invalid_query_is_rejected(small_city):
    """A non-positive radius is an error."""
    with pytest.raises(ValueError, match="radius"):
        nearby(small_city.model, 12.5, 55.7, 0.0, from_minutes(small_city.split_min))
