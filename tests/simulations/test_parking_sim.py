"""The parking simulation: sites like p_pladser, counts in range, daily rhythm, persistence."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from simulations.parking_sim import (
    SimConfig,
    SimSite,
    StreetPoint,
    demand_rate,
    make_sites,
    scattered_sites,
    simulate,
    simulate_arrays,
)
from tests.cities import COPENHAGEN, COPENHAGEN_DEMO

START = datetime(2024, 2, 5, tzinfo=ZoneInfo("Europe/Copenhagen"))
TZ = COPENHAGEN.timezone
BOX = COPENHAGEN_DEMO.placement
CENTRAL_BOX = (BOX.min_lon, BOX.min_lat, BOX.max_lon, BOX.max_lat)


def sites(cfg: SimConfig) -> list[SimSite]:
    """Sites scattered in the demo's central box, in Copenhagen's districts."""
    return scattered_sites(cfg, BOX, COPENHAGEN.districts)


@pytest.fixture(scope="module")
def week():
    """Two weeks of 5-minute counts for 60 sites."""
    cfg = SimConfig(n_street=56, n_carparks=4, seed=5)
    sims = sites(cfg)
    steps = list(simulate_arrays(sims, START, 14, cfg, TZ))
    return sims, np.stack([f for _, f in steps])


def test_sites_look_like_p_pladser_and_car_parks():
    """Street segments have 5-60 spaces, a side and a scheme; car parks are larger; ids unique."""
    sims = sites(SimConfig(n_street=300, n_carparks=10))
    streets = [s for s in sims if s.site.kind == "street"]
    parks = [s for s in sims if s.site.kind == "carpark"]
    assert len(streets) == 300 and len(parks) == 10
    assert all(
        5 <= s.site.capacity <= 60 and s.side in ("lige", "ulige") and s.scheme for s in streets
    )
    assert all(s.site.capacity > 60 for s in parks)
    assert len({s.site.site_id for s in sims}) == 310


def test_fallback_scatters_inside_the_central_box():
    """Without street points every site lies in the central box."""
    for s in sites(SimConfig(n_street=80, n_carparks=2)):
        assert (
            CENTRAL_BOX[0] <= s.site.lon <= CENTRAL_BOX[2]
            and CENTRAL_BOX[1] <= s.site.lat <= CENTRAL_BOX[3]
        )


def test_sites_are_placed_at_given_points():
    """Given street points, sites take their coordinates and street names."""
    pts = [StreetPoint(12.56, 55.69, "Jagtvej"), StreetPoint(12.57, 55.70, "Ryesgade")]
    sims = make_sites(SimConfig(n_street=4, n_carparks=0), pts, COPENHAGEN.districts)
    assert [(s.site.lon, s.site.street) for s in sims] == [
        (12.56, "Jagtvej"),
        (12.57, "Ryesgade"),
    ] * 2


def test_same_seed_same_counts_other_seed_differs():
    """The simulation is a pure function of its seed."""

    def run(seed):
        cfg = SimConfig(n_street=10, n_carparks=1, seed=seed)
        return np.stack([f for _, f in simulate_arrays(sites(cfg), START, 1, cfg, TZ)])

    assert np.array_equal(run(1), run(1)) and not np.array_equal(run(1), run(2))


def test_counts_stay_within_capacity(week):
    """Free spaces are always between 0 and capacity, and some sites do fill up."""
    sims, free = week
    cap = np.array([s.site.capacity for s in sims])
    assert free.min() >= 0 and np.all(free <= cap)
    assert (free == 0).mean() > 0.01


def test_short_horizon_persistence(week):
    """Whether a space is free changes less often over 5 minutes than over 2 hours."""
    _, free = week
    avail = free > 0
    assert (avail[1:] != avail[:-1]).mean() < (avail[24:] != avail[:-24]).mean()


def test_weekends_differ_from_weekdays():
    """Commercial demand at Sunday noon is well below Tuesday noon; night-life peaks late."""
    assert demand_rate("commercial", np.array(13.0), np.array(6)) < 0.7 * demand_rate(
        "commercial", np.array(13.0), np.array(1)
    )
    assert demand_rate("nightlife", np.array(23.0), np.array(5)) > demand_rate(
        "nightlife", np.array(9.0), np.array(5)
    )


def test_observations_are_records_every_step():
    """simulate yields ParkingObservation records, one per site per step, tz-aware."""
    cfg = SimConfig(n_street=3, n_carparks=0, step_min=15)
    obs = list(simulate(sites(cfg), START, 1, cfg, TZ))
    assert len(obs) == 3 * (96 + 1)
    assert all(o.observed_at.tzinfo is not None and 0 <= o.free <= o.capacity for o in obs)


@pytest.mark.parametrize(
    "kwargs", [{"n_street": 0, "n_carparks": 0}, {"step_min": 5, "substep_min": 2.0}]
)
def test_invalid_config_is_rejected(kwargs):
    """Impossible simulation settings raise ValueError."""
    with pytest.raises(ValueError):
        SimConfig(**kwargs)
