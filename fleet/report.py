"""The fleet's day from GPS: km, moving/stopped time, trips, stops, time per area, CO2. Pure.

Vehicles appear under keyed pseudonyms and stop places are coarsened to a grid: the report is
about the fleet's work, not about where an employee was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.domain import Vehicle
from fleet.privacy import coarsen, pseudonym
from fleet.trips import AreaOf, TripParams, analyse


@dataclass(frozen=True, slots=True)
class VehicleFigures:
    pseudonym: str
    kind: str
    km: float
    moving_h: float
    stopped_h: float
    trips: int
    stops: int
    co2_kg: float
    stop_cells: tuple[tuple[float, float], ...]  # coarsened stop places


@dataclass(frozen=True)
class FleetReport:
    vehicles: tuple[VehicleFigures, ...]
    hours_by_area: dict[str, float]
    dropped_outliers: int

    def totals_by_kind(self) -> dict[str, dict[str, float]]:
        out: dict[str, dict[str, float]] = {}
        for v in self.vehicles:
            k = out.setdefault(
                v.kind,
                {
                    "vehicles": 0,
                    "km": 0.0,
                    "moving_h": 0.0,
                    "stopped_h": 0.0,
                    "trips": 0,
                    "co2_kg": 0.0,
                },
            )
            k["vehicles"] += 1
            k["km"] += v.km
            k["moving_h"] += v.moving_h
            k["stopped_h"] += v.stopped_h
            k["trips"] += v.trips
            k["co2_kg"] += v.co2_kg
        return out


def fleet_report(
    vehicle_ids: Sequence[str],
    vehicle_index: np.ndarray,
    t_s: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
    speed_kmh: np.ndarray,
    fleet: Sequence[Vehicle],
    key: str,
    area_of: AreaOf,
    params: TripParams | None = None,
) -> FleetReport:
    """Figures per vehicle (fixes grouped by ``vehicle_index`` into ``vehicle_ids``); hours per
    area from the vectorised ``area_of`` (the city profile's districts)."""
    by_id = {v.vehicle_id: v for v in fleet}
    order = np.argsort(vehicle_index, kind="stable")
    bounds = np.searchsorted(vehicle_index[order], np.arange(len(vehicle_ids) + 1))
    rows: list[VehicleFigures] = []
    areas: dict[str, float] = {}
    dropped = 0
    for i, vid in enumerate(vehicle_ids):
        sel = order[bounds[i] : bounds[i + 1]]
        if len(sel) == 0:
            continue
        day = analyse(t_s[sel], lon[sel], lat[sel], speed_kmh[sel], area_of, params)
        v = by_id.get(vid)
        g_per_km = v.co2_g_per_km if v else 0.0
        rows.append(
            VehicleFigures(
                pseudonym(key, vid),
                v.kind.value if v else "unknown",
                day.distance_m / 1000,
                day.moving_s / 3600,
                day.stopped_s / 3600,
                len(day.trips),
                len(day.stops),
                day.co2_kg(g_per_km),
                tuple(coarsen(s.lon, s.lat) for s in day.stops),
            )
        )
        for area, sec in day.seconds_by_area.items():
            areas[area] = areas.get(area, 0.0) + sec / 3600
        dropped += day.dropped_outliers
    return FleetReport(tuple(rows), areas, dropped)
