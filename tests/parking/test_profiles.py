"""Time-of-week profiles with shrinkage toward similar sites."""

from __future__ import annotations

import numpy as np
import pytest

from parking.profiles import ProfileConfig, build_profiles
from parking.table import ObservationTable


def test_site_without_history_borrows_its_group(small_city):
    """A site whose counts are removed gets zero own weight and a profile from its group."""
    t = small_city.table
    keep = t.site != 0
    sub = ObservationTable(t.site_ids, t.site[keep], t.t_min[keep], t.free[keep], t.capacity[keep])
    prof = build_profiles(sub, small_city.sites.kinds, "Europe/Copenhagen", ProfileConfig())
    assert np.all(prof.own_weight[0] == 0)
    assert np.all((prof.free_rate[0] >= 0) & (prof.free_rate[0] <= 1))
    assert np.all((prof.p_free[0] >= 0) & (prof.p_free[0] <= 1))


def test_own_weight_grows_with_weeks_of_data(small_city):
    """Four weeks of a site's counts weigh more than one week in the same slots."""
    t = small_city.table
    kinds = small_city.sites.kinds
    one = t.between(int(t.t_min.min()), int(t.t_min.min()) + 7 * 1440)
    w1 = build_profiles(one, kinds, "Europe/Copenhagen", ProfileConfig()).own_weight
    w4 = build_profiles(t, kinds, "Europe/Copenhagen", ProfileConfig()).own_weight
    assert w4.mean() > w1.mean() > 0


def test_profile_tracks_the_generating_weekday_pattern(small_city):
    """Commercial sites have fewer free spaces at weekday 13:00 than at 04:00, per their profile."""
    m = small_city.model
    commercial = [i for i, s in enumerate(small_city.sims) if s.profile == "commercial"]
    assert commercial
    noon, night = (1 * 1440 + 13 * 60) // m.slot_min, (1 * 1440 + 4 * 60) // m.slot_min
    assert np.mean(m.free_rate[commercial, noon]) < np.mean(m.free_rate[commercial, night])


@pytest.mark.parametrize("kwargs", [{"slot_min": 11}, {"kappa": -1.0}, {"smooth": (1.0, 1.0)}])
def test_invalid_profile_config_is_rejected(kwargs):
    """Bad profile parameters raise ValueError at construction."""
    with pytest.raises(ValueError):
        ProfileConfig(**kwargs)
