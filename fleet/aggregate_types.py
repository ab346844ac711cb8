"""Types of the fleet's daily aggregates (pure): the thresholds, the places vehicles work and park,
and what a day yields per vehicle and per (vehicle, district, local hour).

Every tracked second of a vehicle falls in exactly one of four categories (see
:mod:`fleet.aggregates`): *driving*, *idling*, *in service* and *parked*. Time *in use* is driving +
idling + in service; parked time and untracked time (no fixes, or a gap longer than
``max_gap_s``) are not use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from core.domain import VehicleKind

CATEGORIES = ("driving", "idling", "service", "parked")
DRIVING, IDLING, SERVICE, PARKED = range(4)
IN_USE = (DRIVING, IDLING, SERVICE)
UNKNOWN_KIND = "unknown"  # fixes of a vehicle not in the inventory


@dataclass(frozen=True, slots=True)
class AggregateParams:
    """Thresholds of the classification; validated at construction."""

    stop_speed_kmh: float = 3.0  # below it a fix is stationary
    max_gap_s: float = 600.0  # a longer gap between fixes is untracked time
    max_speed_kmh: float = 130.0  # jumps implying more are multipath outliers (dropped)
    max_idle_s: float = 600.0  # a longer stationary stretch is parked (engine assumed off)
    min_service_s: float = 20.0  # a stop at a working location shorter than this is idling
    max_service_s: float = 3600.0  # ... and one longer than this is parked
    work_radius_m: float = 30.0  # how near a working location (bin, disposal site) a stop is
    depot_radius_m: float = 100.0  # stationary this near a depot is parked
    cleaning_max_kmh: float = 20.0  # street cleaners moving at most this fast clean

    def __post_init__(self) -> None:
        if self.stop_speed_kmh < 0:
            raise ValueError("stop_speed_kmh must be non-negative.")
        for name in ("max_gap_s", "max_idle_s", "work_radius_m", "depot_radius_m"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive.")
        if self.max_gap_s > 3600:
            raise ValueError("max_gap_s must be at most 3600 s (one hour).")
        if not 0 <= self.min_service_s <= self.max_service_s:
            raise ValueError("need 0 <= min_service_s <= max_service_s.")
        if not self.stop_speed_kmh < self.cleaning_max_kmh < self.max_speed_kmh:
            raise ValueError("need stop_speed_kmh < cleaning_max_kmh < max_speed_kmh.")

    def to_json(self) -> dict[str, float]:
        return asdict(self)

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> AggregateParams:
        return cls(**{k: float(v) for k, v in d.items() if k in cls.__dataclass_fields__})


class _Near:
    """Points on a local metric plane (equirectangular about their mean latitude): is a position
    within ``radius_m`` of any of them? Vectorised."""

    def __init__(self, points: Sequence[tuple[float, float]]) -> None:
        pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        self._k = np.cos(np.radians(pts[:, 1].mean())) if len(pts) else 1.0
        self._tree = cKDTree(self._xy(pts[:, 0], pts[:, 1])) if len(pts) else None

    def _xy(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> npt.NDArray[np.float64]:
        m = 111_195.0  # metres per degree of latitude
        return np.column_stack([np.asarray(lon) * m * self._k, np.asarray(lat) * m])

    def within(self, lon: npt.ArrayLike, lat: npt.ArrayLike, radius_m: float) -> npt.NDArray:
        x = np.atleast_1d(np.asarray(lon, dtype=np.float64))
        if self._tree is None or x.size == 0:
            return np.zeros(x.size, dtype=bool)
        d, _ = self._tree.query(self._xy(x, np.atleast_1d(lat)), k=1)
        return np.asarray(d <= radius_m)


@dataclass(frozen=True)
class Places:
    """Working locations per vehicle kind (waste trucks: bins and disposal sites) and depots,
    as (lon, lat) pairs."""

    work: Mapping[str, Sequence[tuple[float, float]]] = field(default_factory=dict)
    depots: Sequence[tuple[float, float]] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "_work", {k: _Near(v) for k, v in self.work.items()})
        object.__setattr__(self, "_depots", _Near(self.depots))

    def at_work(self, kind: str, lon: npt.ArrayLike, lat: npt.ArrayLike, r: float) -> npt.NDArray:
        near: _Near | None = self.__dict__["_work"].get(kind)
        if near is None:
            return np.zeros(np.atleast_1d(np.asarray(lon)).size, dtype=bool)
        return near.within(lon, lat, r)

    def at_depot(self, lon: npt.ArrayLike, lat: npt.ArrayLike, r: float) -> npt.NDArray:
        depots: _Near = self.__dict__["_depots"]
        return depots.within(lon, lat, r)


def waste_places(
    bins: Sequence[tuple[float, float]],
    disposal: Sequence[tuple[float, float]],
    depots: Sequence[tuple[float, float]],
) -> Places:
    """Waste trucks work at bins and disposal sites; every kind parks at depots."""
    return Places({VehicleKind.WASTE_TRUCK.value: [*bins, *disposal]}, depots)


@dataclass(frozen=True, slots=True)
class Usage:
    """Distance, time per category (seconds) and CO2 of one vehicle over some span."""

    km: float = 0.0
    driving_s: float = 0.0
    idling_s: float = 0.0
    service_s: float = 0.0
    parked_s: float = 0.0
    co2_kg: float = 0.0

    @property
    def in_use_s(self) -> float:
        return self.driving_s + self.idling_s + self.service_s


@dataclass(frozen=True, slots=True)
class Cell:
    """One vehicle's usage in one district (``""``: outside every district) and local hour."""

    pseudonym: str
    kind: str
    district: str
    hour: int
    usage: Usage


@dataclass(frozen=True, slots=True)
class VehicleDay:
    """One vehicle's local day: its usage, the length of its shift and the time in use within
    the shift (the shift is ``shift_start_h``..``shift_end_h`` local clock time every day)."""

    pseudonym: str
    kind: str
    fixes: int
    usage: Usage
    shift_s: float
    in_shift_use_s: float

    @property
    def utilisation(self) -> float | None:
        return self.in_shift_use_s / self.shift_s if self.shift_s > 0 else None


@dataclass(frozen=True)
class DayAggregates:
    """A local day's aggregates: every inventory vehicle (used or not) and its cells."""

    day: date
    timezone: str
    params: AggregateParams
    vehicles: tuple[VehicleDay, ...]
    cells: tuple[Cell, ...]

    @property
    def fixes(self) -> int:
        return sum(v.fixes for v in self.vehicles)

    @staticmethod
    def merge(parts: Sequence[DayAggregates]) -> DayAggregates:
        """Parts of one day over disjoint vehicles (batches) as one."""
        if not parts:
            raise ValueError("nothing to merge.")
        first = parts[0]
        if any(
            (p.day, p.timezone, p.params) != (first.day, first.timezone, first.params)
            for p in parts
        ):
            raise ValueError("parts of different days, zones or parameters.")
        return DayAggregates(
            first.day,
            first.timezone,
            first.params,
            tuple(v for p in parts for v in p.vehicles),
            tuple(c for p in parts for c in p.cells),
        )
