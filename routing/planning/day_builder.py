"""The one builder of day problems: sites, bins, trucks and travel to a :class:`DayProblem`. Pure.

The day plan (:func:`routing.planning.day_problem.build_day_problem`) and mid-day re-planning
(:func:`routing.planning.replan.replan`) both build their problem with :class:`DayBuilder`, so
vehicle types, costs, unloads and the driver break follow the same rules. They differ only in
what they feed it: the day plan adds the inventory's depots, disposal sites and selected bins
over the cached travel matrix and trucks leaving their depots; a re-plan adds the bins still to
empty over the original problem's matrices and trucks leaving where they are (a
:class:`TruckState`: a plain location of the model at the truck's position, the re-plan's time,
the load on board as the vehicle's initial load). Every route ends at its truck's home depot.

Each location records its *source*: its row in the travel matrices given to
:meth:`DayBuilder.build` (a matrix point for the day plan, an original location for a re-plan).
A truck's position has no source; its travel rows come with its :class:`TruckState`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from core.domain import Bin, Site, Vehicle
from routing.planning.day_types import DayConfig, DayProblem, local_midnight
from routing.vrp.model import Model

UNLIMITED = 10**9  # a capacity not given (0): no limit in that dimension


def _capacity(value: float) -> int:
    """A truck's capacity in whole litres or kg; 0 (not given, e.g. no weight limit on file)
    is :data:`UNLIMITED`, so a missing figure never makes every bin too heavy."""
    return int(value) if value > 0 else UNLIMITED


@dataclass(frozen=True)
class TruckState:
    """A truck now: position, what it carries, and travel from there to each source location.

    ``time_to_s`` / ``dist_to_m`` are indexed like the travel matrices given to
    :meth:`DayBuilder.build` (for a re-plan: the original problem's locations; the service
    computes them with one shortest-path search from the truck's snapped position).
    """

    vehicle_id: str
    lon: float
    lat: float
    street: str
    load_l: float
    load_kg: float
    time_to_s: np.ndarray
    dist_to_m: np.ndarray


class DayBuilder:
    """Collects a day problem's locations and trucks, then builds the :class:`DayProblem`."""

    def __init__(self, config: DayConfig) -> None:
        self.config = config
        self.model = Model()
        self.source: list[int] = []  # travel-matrix row per location; -1 for a truck's position
        self.point: list[int] = []  # matrix point per location; -1 for a truck's position
        self.location_bin: dict[int, Bin] = {}
        self.location_site: dict[int, Site] = {}
        self.location_street: dict[int, str] = {}
        self.depot_location: dict[str, int] = {}
        self.vehicle_ids: list[tuple[str, ...]] = []
        self.vehicles: dict[str, Vehicle] = {}
        self.rows: dict[int, TruckState] = {}  # a truck's position -> its travel rows

    def _place(self, loc: int, street: str, source: int, point: int | None) -> int:
        self.source.append(source)
        self.point.append(source if point is None else point)
        self.location_street[loc] = street
        return loc

    def add_depot(self, site: Site, street: str, source: int, point: int | None = None) -> int:
        """A home depot (trucks are based there and end their routes there)."""
        loc = self.model.add_depot(name=site.site_id)
        self.location_site[loc] = site
        self.depot_location[site.site_id] = loc
        return self._place(loc, street, source, point)

    def add_disposal_site(
        self, site: Site, street: str, source: int, point: int | None = None
    ) -> int:
        """A disposal site; unloading takes the configuration's ``unload_s``."""
        loc = self.model.add_disposal_site(unload_s=self.config.unload_s, name=site.site_id)
        self.location_site[loc] = site
        return self._place(loc, street, source, point)

    def add_bin(
        self,
        b: Bin,
        demand: tuple[int, int],
        *,
        required: bool,
        prize: int,
        street: str,
        source: int,
        point: int | None = None,
    ) -> int:
        """A bin to empty: (litres, kg) ``demand``; ``prize`` is what skipping it costs."""
        loc = self.model.add_client(
            demand, service_s=round(b.service_s), required=required, prize=prize, name=b.bin_id
        )
        self.location_bin[loc] = b
        return self._place(loc, street, source, point)

    def add_trucks(
        self, trucks: Sequence[Vehicle], states: Sequence[TruckState] = (), now_s: int = 0
    ) -> None:
        """Vehicle types for ``trucks``, whose home depots must have been added.

        A truck without a state leaves its depot empty at its shift start; trucks alike in
        depot, capacities, shift and CO2 rate share a vehicle type. A truck with a state leaves
        its position (a plain location) at ``now_s`` or its shift start if later, carrying its
        load (rounded up, at most its capacity), as a vehicle type of its own.
        """
        by_id = {s.vehicle_id: s for s in states}
        groups: dict[tuple[Any, ...], list[str]] = {}
        for v in sorted(trucks, key=lambda v: v.vehicle_id):
            state = by_id.get(v.vehicle_id)
            key: tuple[Any, ...] = (
                v.depot_id,
                _capacity(v.capacity_l),
                _capacity(v.capacity_kg),
                v.shift_start_h,
                v.shift_end_h,
                v.co2_g_per_km,
            )
            if state is not None:
                key += (v.vehicle_id,)
            groups.setdefault(key, []).append(v.vehicle_id)
            self.vehicles[v.vehicle_id] = v
        for (depot_id, cap_l, cap_kg, start_h, end_h, co2, *own), ids in groups.items():
            start_s = round(start_h * 3600)
            start_loc: int | None = None
            load = (0, 0)
            if own:
                state = by_id[ids[0]]
                start_s = max(start_s, now_s)
                start_loc = self._add_position(state)
                load = (_on_board(state.load_l, cap_l), _on_board(state.load_kg, cap_kg))
            self.model.add_vehicle_type(
                len(ids),
                (cap_l, cap_kg),
                self.depot_location[depot_id],
                shift_start_s=start_s,
                shift_end_s=round(end_h * 3600),
                fixed_cost=self.config.vehicle_fixed_m,
                distance_cost=1,
                co2_g_per_km=co2,
                name=",".join(ids),
                start_location=start_loc,
                initial_load=load,
            )
            self.vehicle_ids.append(tuple(ids))

    def _add_position(self, state: TruckState) -> int:
        """The truck's position as a plain location of the model."""
        loc = self.model.add_location(name=state.vehicle_id)
        self.location_site[loc] = Site(
            f"{state.vehicle_id}:start", "current position", state.lon, state.lat
        )
        self.rows[loc] = state
        return self._place(loc, state.street, -1, -1)

    def build(
        self,
        plan_date: date,
        time_s: npt.ArrayLike,
        dist_m: npt.ArrayLike,
        inputs: Mapping[str, Any] | None = None,
    ) -> DayProblem:
        """The problem over travel matrices indexed by the locations' sources (rounded to s, m).

        Travel *to* a truck's position (which no route drives to) is taken as the travel from
        it; between two trucks' positions, through the location nearest to both.
        """
        cfg = self.config
        if cfg.break_s > 0:
            lo, hi = cfg.break_window_h
            self.model.set_driver_break(cfg.break_s, round(lo * 3600), round(hi * 3600))
        duration = self._matrix(np.asarray(time_s), 0)
        self.model.set_matrices(duration, self._matrix(np.asarray(dist_m), 1))
        return DayProblem(
            data=self.model.data(),
            plan_date=plan_date,
            midnight=local_midnight(plan_date, cfg.tz),
            vehicle_ids=tuple(self.vehicle_ids),
            vehicles=dict(self.vehicles),
            location_bin=self.location_bin,
            location_site=self.location_site,
            location_street=self.location_street,
            location_point=tuple(self.point),
            depot_location=self.depot_location,
            config=cfg,
            inputs=dict(inputs or {}),
        )

    def _matrix(self, full: np.ndarray, which: int) -> np.ndarray:
        """One travel matrix (0: time, 1: distance) over the built locations."""
        src = np.asarray(self.source, dtype=np.int64)
        real = np.flatnonzero(src >= 0)
        sub = np.take(np.take(full, src[real], axis=0), src[real], axis=1)  # faster than ix_
        if real.size == src.size:  # no truck positions: the sub-matrix is the whole matrix
            out = np.rint(sub, out=sub).astype(np.int64)
            np.fill_diagonal(out, 0)
            return out
        out = np.zeros((len(src), len(src)), dtype=np.int64)
        out[np.ix_(real, real)] = np.rint(sub)
        rows = {
            loc: np.rint((s.time_to_s, s.dist_to_m)[which][src[real]]).astype(np.int64)
            for loc, s in self.rows.items()
        }
        for loc, row in rows.items():
            out[loc, real] = row
            out[real, loc] = row
            for other, row2 in rows.items():
                if other != loc:
                    out[loc, other] = int((row + row2).min())
        np.fill_diagonal(out, 0)
        return out


def _on_board(amount: float, capacity: int) -> int:
    """A load on board in whole units, rounded up, within ``[0, capacity]``."""
    return min(capacity, max(0, math.ceil(amount - 1e-9)))
