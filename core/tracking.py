"""Where vehicles are and have been: latest fixes and GPS traces (pure). Drivers' positions are
personal data; ``core.db.vehicle_state`` and ``core.db.fleet`` read them only with an actor and a
purpose, logged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt


@dataclass(frozen=True, slots=True)
class VehicleFix:
    """A vehicle's latest known position."""

    vehicle_id: str
    observed_at: datetime
    lon: float
    lat: float
    speed_kmh: float


@dataclass(frozen=True, slots=True)
class Traces:
    """Fixes of many vehicles as aligned arrays, sorted by (vehicle, time)."""

    vehicle_ids: tuple[str, ...]
    vehicle: npt.NDArray[np.int32]  # index into vehicle_ids
    t_s: npt.NDArray[np.float64]
    lon: npt.NDArray[np.float64]
    lat: npt.NDArray[np.float64]
    speed_kmh: npt.NDArray[np.float64]
