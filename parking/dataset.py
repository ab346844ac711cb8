"""Loading a long-format dataset into model inputs (adapter over :mod:`parking.csv_io`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.domain import ParkingSite
from parking.csv_io import RowError, read_observations, read_sites
from parking.model import SiteInfo
from parking.table import ObservationTable

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Dataset:
    """Sites, their observations, and every skipped row."""

    sites: SiteInfo
    table: ObservationTable
    site_errors: list[RowError]
    observation_errors: list[RowError]


def site_info(sites: list[ParkingSite]) -> SiteInfo:
    """Aligned site arrays for the model."""
    return SiteInfo(
        tuple(s.site_id for s in sites),
        tuple(s.name for s in sites),
        tuple(s.kind for s in sites),
        np.array([s.capacity for s in sites], dtype=np.int32),
        np.array([s.lon for s in sites], dtype=float),
        np.array([s.lat for s in sites], dtype=float),
    )


def load_dataset(observations: Path, sites: Path) -> Dataset:
    """Read both files, logging a summary of skipped rows."""
    site_list, site_errors = read_sites(sites)
    info = site_info(site_list)
    table, obs_errors = read_observations(observations, info.site_ids)
    for kind, errs in (("site", site_errors), ("observation", obs_errors)):
        if errs:
            log.warning(
                "skipped %d bad %s rows, first: %s", len(errs), kind, "; ".join(map(str, errs[:3]))
            )
    return Dataset(info, table, site_errors, obs_errors)
