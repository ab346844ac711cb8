"""Session fixtures: a small simulated city, its observation table and a model fitted on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from parking.dataset import site_info
from parking.fit import FitConfig, fit_model
from parking.model import ParkingModel, SiteInfo
from parking.table import ObservationTable, build_table, to_minutes
from simulations.parking_sim import SimConfig, SimSite, scattered_sites, simulate_arrays
from tests.cities import CENTRAL_BOX, COPENHAGEN

TZ = "Europe/Copenhagen"
START = datetime(2024, 2, 5, tzinfo=ZoneInfo(TZ))
TRAIN_DAYS, TEST_DAYS = 21, 7


@dataclass(frozen=True)
class SmallCity:
    """Simulated sites, all their counts, the train/test split and a model fitted before it."""

    sims: list[SimSite]
    sites: SiteInfo
    table: ObservationTable
    split_min: int
    end_min: int
    model: ParkingModel


@pytest.fixture(scope="session")
def small_city() -> SmallCity:
    """32 sites, 4 weeks of 10-minute counts; the model sees the first 3 weeks."""
    cfg = SimConfig(n_street=30, n_carparks=2, step_min=10, seed=11)
    sims = scattered_sites(cfg, CENTRAL_BOX, COPENHAGEN.districts)
    steps = list(simulate_arrays(sims, START, TRAIN_DAYS + TEST_DAYS, cfg, TZ))
    ids = [s.site.site_id for s in sims]
    t = np.repeat([to_minutes(ts) for ts, _ in steps], len(ids))
    free = np.concatenate([f for _, f in steps])
    caps = np.tile([s.site.capacity for s in sims], len(steps))
    table = build_table(ids, np.tile(ids, len(steps)), t, free, caps)
    split = to_minutes(START) + TRAIN_DAYS * 1440
    sites = site_info([s.site for s in sims])
    train = table.between(int(table.t_min.min()), split)
    model = fit_model(train, sites, TZ, FitConfig(pairs_per_lead=15_000))
    return SmallCity(sims, sites, table, split, int(table.t_min.max()) + 1, model)
