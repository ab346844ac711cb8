"""A solver-neutral builder for the waste-collection routing problem.

Build a problem with :class:`Model` (as with PyVRP's ``Model``), then freeze it with
:meth:`Model.data` into an immutable, validated :class:`ProblemData` that every engine and the
plan checker read. Pure: no solver library and no I/O is imported here.

Location indexing
-----------------
Every ``add_depot`` / ``add_client`` / ``add_disposal_site`` / ``add_location`` call appends one
*location* and returns its index: indices follow the order of the calls, whatever the kind (adding
the depots first is customary, not required). A plain location (``add_location``) is where a
vehicle may start or end its route without it being a depot, for example a truck's position
mid-route; no route visits it. The duration and distance matrices are square over these
locations, ``matrix[i, j]`` being the travel from location ``i`` to location ``j``. Routes in
:mod:`routing.vrp.solution` name their visits by the same indices.

Vehicles
--------
A vehicle type is based at a depot (its home, named on the plan) and by default starts and ends
its routes there. It may instead start and/or end at another depot or a plain location, and carry
an ``initial_load`` at the start (counted against its capacity until its first unload).

Units
-----
Times are integer seconds on one clock (for example seconds since midnight); distances are
integer metres; loads are integers per capacity dimension. The platform uses two dimensions,
``(volume_l, weight_kg)``; CVRPLIB instances use one. Costs are integer units: a vehicle pays
``fixed_cost`` when used plus ``distance_cost`` per metre driven, and skipping an optional client
costs its ``prize``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import numpy.typing as npt

IntMatrix = npt.NDArray[np.int64]

UNBOUNDED_S = 10 * 365 * 24 * 3600  # "no limit" for times, still far from int64 overflow


class LocationKind(StrEnum):
    """What stands at a location."""

    DEPOT = "depot"
    CLIENT = "client"
    DISPOSAL = "disposal"
    PLAIN = "plain"  # only a route's start or end (a truck's position mid-route)


@dataclass(frozen=True, slots=True)
class Depot:
    """Where vehicles start and end their shift."""

    location: int
    name: str = ""


@dataclass(frozen=True, slots=True)
class Client:
    """A bin (or group of bins at one stop) to empty."""

    location: int
    demand: tuple[int, ...]
    service_s: int = 0
    required: bool = True
    prize: int = 0  # what skipping an optional client costs; ignored when required
    tw_early_s: int = 0  # service must start within [tw_early_s, tw_late_s]
    tw_late_s: int = UNBOUNDED_S
    name: str = ""


@dataclass(frozen=True, slots=True)
class DisposalSite:
    """Where a truck unloads: the load drops to zero in every dimension."""

    location: int
    unload_s: int = 0
    name: str = ""


@dataclass(frozen=True, slots=True)
class PlainLocation:
    """A location that is only a start or end of routes, never visited."""

    location: int
    name: str = ""


@dataclass(frozen=True, slots=True)
class VehicleType:
    """``num_available`` identical vehicles based at ``depot`` (a location index).

    Routes leave ``start_location`` and end at ``end_location`` (a depot or a plain location;
    :meth:`Model.add_vehicle_type` defaults both to ``depot``) with ``initial_load`` on board.
    """

    num_available: int
    capacity: tuple[int, ...]
    depot: int
    shift_start_s: int = 0
    shift_end_s: int = UNBOUNDED_S
    max_duration_s: int = UNBOUNDED_S  # departure from the start to arrival at the end
    fixed_cost: int = 0
    distance_cost: int = 1  # cost units per metre
    co2_g_per_km: float = 0.0
    name: str = ""
    start_location: int = field(kw_only=True)
    end_location: int = field(kw_only=True)
    initial_load: tuple[int, ...] = field(kw_only=True)  # per dimension, on board at the start


@dataclass(frozen=True, slots=True)
class DriverBreak:
    """Every driver still on the road at ``latest_start_s`` takes one break of ``duration_s``.

    The break starts within ``[earliest_start_s, latest_start_s]``, never overlaps a service or
    unload, and may be taken en route or while waiting; a route back at its depot by
    ``latest_start_s`` needs none (the break is then taken after the shift's work).
    """

    duration_s: int
    earliest_start_s: int
    latest_start_s: int


@dataclass(frozen=True, eq=False)
class ProblemData:
    """An immutable, validated routing problem; build it with :class:`Model`."""

    depots: tuple[Depot, ...]
    clients: tuple[Client, ...]
    disposal_sites: tuple[DisposalSite, ...]
    vehicle_types: tuple[VehicleType, ...]
    kinds: tuple[LocationKind, ...]  # kinds[i] is what stands at location i
    duration: IntMatrix = field(repr=False)
    distance: IntMatrix = field(repr=False)
    driver_break: DriverBreak | None = None
    plain_locations: tuple[PlainLocation, ...] = ()

    @property
    def num_locations(self) -> int:
        return len(self.kinds)

    @property
    def num_dimensions(self) -> int:
        return len(self.vehicle_types[0].capacity)

    @property
    def num_vehicles(self) -> int:
        return sum(vt.num_available for vt in self.vehicle_types)

    def client_at(self, location: int) -> Client:
        """The client standing at ``location``; KeyError if there is none."""
        return self._clients_by_location()[location]

    def disposal_at(self, location: int) -> DisposalSite:
        """The disposal site at ``location``; KeyError if there is none."""
        return {s.location: s for s in self.disposal_sites}[location]

    def _clients_by_location(self) -> dict[int, Client]:
        cache = self.__dict__.get("_by_loc")
        if cache is None:
            cache = {c.location: c for c in self.clients}
            object.__setattr__(self, "_by_loc", cache)
        return cache


class Model:
    """Builder for :class:`ProblemData`; each ``add_*`` returns the new location's index."""

    def __init__(self) -> None:
        self._kinds: list[LocationKind] = []
        self._depots: list[Depot] = []
        self._clients: list[Client] = []
        self._sites: list[DisposalSite] = []
        self._plain: list[PlainLocation] = []
        self._vehicle_types: list[VehicleType] = []
        self._duration: IntMatrix | None = None
        self._distance: IntMatrix | None = None
        self._break: DriverBreak | None = None

    def _add_location(self, kind: LocationKind) -> int:
        self._kinds.append(kind)
        return len(self._kinds) - 1

    def add_depot(self, *, name: str = "") -> int:
        """Add a depot; returns its location index."""
        loc = self._add_location(LocationKind.DEPOT)
        self._depots.append(Depot(loc, name))
        return loc

    def add_client(
        self,
        demand: int | tuple[int, ...],
        *,
        service_s: int = 0,
        required: bool = True,
        prize: int = 0,
        time_window: tuple[int, int] | None = None,
        name: str = "",
    ) -> int:
        """Add a client with ``demand`` per capacity dimension; returns its location index."""
        loc = self._add_location(LocationKind.CLIENT)
        early, late = time_window if time_window is not None else (0, UNBOUNDED_S)
        dem = _ints(demand)
        self._clients.append(Client(loc, dem, service_s, required, prize, early, late, name))
        return loc

    def add_disposal_site(self, *, unload_s: int = 0, name: str = "") -> int:
        """Add a disposal site (unload point); returns its location index."""
        loc = self._add_location(LocationKind.DISPOSAL)
        self._sites.append(DisposalSite(loc, unload_s, name))
        return loc

    def add_location(self, *, name: str = "") -> int:
        """Add a plain location (a route's start or end only); returns its location index."""
        loc = self._add_location(LocationKind.PLAIN)
        self._plain.append(PlainLocation(loc, name))
        return loc

    def add_vehicle_type(
        self,
        num_available: int,
        capacity: int | tuple[int, ...],
        depot: int,
        *,
        shift_start_s: int = 0,
        shift_end_s: int = UNBOUNDED_S,
        max_duration_s: int = UNBOUNDED_S,
        fixed_cost: int = 0,
        distance_cost: int = 1,
        co2_g_per_km: float = 0.0,
        name: str = "",
        start_location: int | None = None,
        end_location: int | None = None,
        initial_load: int | tuple[int, ...] | None = None,
    ) -> int:
        """Add a vehicle type based at the depot location ``depot``; returns the type index.

        Its routes start at ``start_location`` and end at ``end_location`` (default: ``depot``)
        with ``initial_load`` on board (default: empty).
        """
        cap = _ints(capacity)
        load = (0,) * len(cap) if initial_load is None else _ints(initial_load)
        self._vehicle_types.append(
            VehicleType(
                num_available,
                cap,
                depot,
                shift_start_s,
                shift_end_s,
                max_duration_s,
                fixed_cost,
                distance_cost,
                co2_g_per_km,
                name,
                start_location=depot if start_location is None else start_location,
                end_location=depot if end_location is None else end_location,
                initial_load=load,
            )
        )
        return len(self._vehicle_types) - 1

    def set_matrices(self, duration_s: npt.ArrayLike, distance_m: npt.ArrayLike) -> None:
        """Travel durations (s) and distances (m) between locations, indexed as documented."""
        self._duration = np.array(duration_s, dtype=np.int64)
        self._distance = np.array(distance_m, dtype=np.int64)

    def set_driver_break(self, duration_s: int, earliest_start_s: int, latest_start_s: int) -> None:
        """Require a driver break (for example 30 min somewhere in the middle of the shift)."""
        self._break = DriverBreak(duration_s, earliest_start_s, latest_start_s)

    def data(self) -> ProblemData:
        """The frozen problem; ValueError saying what is wrong when the input is invalid."""
        if self._duration is None or self._distance is None:
            raise ValueError("matrices are not set: call set_matrices(duration_s, distance_m).")
        # set_matrices made private copies, which the model never writes: freeze, share
        duration, distance = self._duration, self._distance
        duration.setflags(write=False)
        distance.setflags(write=False)
        data = ProblemData(
            tuple(self._depots),
            tuple(self._clients),
            tuple(self._sites),
            tuple(self._vehicle_types),
            tuple(self._kinds),
            duration,
            distance,
            self._break,
            tuple(self._plain),
        )
        validate(data)
        return data


def _ints(value: int | tuple[int, ...]) -> tuple[int, ...]:
    """A load as a tuple of Python ints (accepts one int, numpy ints, or a sequence)."""
    return tuple(int(q) for q in np.atleast_1d(np.asarray(value)))


def validate(data: ProblemData) -> None:
    """Raise ValueError with a clear message if ``data`` is not a well-posed problem."""
    n = data.num_locations
    if not data.depots:
        raise ValueError("the model needs at least one depot.")
    if not data.vehicle_types:
        raise ValueError("the model needs at least one vehicle type.")
    for name, m in (("duration", data.duration), ("distance", data.distance)):
        if m.shape != (n, n):
            raise ValueError(f"{name} matrix has shape {m.shape}, expected ({n}, {n}).")
        if (m < 0).any():
            raise ValueError(f"{name} matrix has negative entries.")
        if np.diagonal(m).any():
            raise ValueError(f"{name} matrix diagonal must be zero.")
    dims = data.num_dimensions
    if dims == 0:
        raise ValueError("vehicle capacity needs at least one dimension.")
    for i, vt in enumerate(data.vehicle_types):
        _check_vehicle_type(data, i, vt, dims)
    for c in data.clients:
        _check_client(data, c, dims)
    for s in data.disposal_sites:
        if s.unload_s < 0:
            raise ValueError(f"disposal site at location {s.location}: unload_s is negative.")
    b = data.driver_break
    if b is not None and (b.duration_s <= 0 or b.earliest_start_s > b.latest_start_s):
        raise ValueError("driver break needs a positive duration and earliest <= latest start.")


def _check_vehicle_type(data: ProblemData, i: int, vt: VehicleType, dims: int) -> None:
    if vt.num_available < 1:
        raise ValueError(f"vehicle type {i}: num_available must be positive.")
    if len(vt.capacity) != dims:
        raise ValueError(
            f"vehicle type {i}: capacity has {len(vt.capacity)} dimensions, not {dims}."
        )
    if any(q < 0 for q in vt.capacity):
        raise ValueError(f"vehicle type {i}: capacity must be non-negative.")
    if not 0 <= vt.depot < data.num_locations or data.kinds[vt.depot] != LocationKind.DEPOT:
        raise ValueError(f"vehicle type {i}: location {vt.depot} is not a depot.")
    for what, loc in (("start", vt.start_location), ("end", vt.end_location)):
        if not 0 <= loc < data.num_locations:
            raise ValueError(f"vehicle type {i}: {what} location {loc} does not exist.")
        if data.kinds[loc] not in (LocationKind.DEPOT, LocationKind.PLAIN):
            kind = data.kinds[loc].value
            msg = f"{what} location {loc} is a {kind}, not a depot or a plain location."
            raise ValueError(f"vehicle type {i}: {msg}")
    load = vt.initial_load
    if len(load) != dims:
        raise ValueError(f"vehicle type {i}: initial load has {len(load)} dimensions, not {dims}.")
    if any(q < 0 for q in load):
        raise ValueError(f"vehicle type {i}: initial load must be non-negative, got {load}.")
    if any(q > c for q, c in zip(load, vt.capacity, strict=True)):
        raise ValueError(f"vehicle type {i}: initial load {load} exceeds capacity {vt.capacity}.")
    if vt.shift_end_s <= vt.shift_start_s or vt.max_duration_s <= 0:
        raise ValueError(f"vehicle type {i}: shift must end after it starts, max duration > 0.")
    if vt.fixed_cost < 0 or vt.distance_cost < 0:
        raise ValueError(f"vehicle type {i}: costs must be non-negative.")


def _check_client(data: ProblemData, c: Client, dims: int) -> None:
    where = f"client at location {c.location}"
    if len(c.demand) != dims:
        raise ValueError(f"{where}: demand has {len(c.demand)} dimensions, not {dims}.")
    if any(q < 0 for q in c.demand):
        raise ValueError(f"{where}: demand must be non-negative, got {c.demand}.")
    if c.service_s < 0 or c.prize < 0:
        raise ValueError(f"{where}: service_s and prize must be non-negative.")
    if c.tw_early_s > c.tw_late_s:
        raise ValueError(f"{where}: time window opens after it closes.")
    if not any(
        all(d <= q for d, q in zip(c.demand, vt.capacity, strict=True)) for vt in data.vehicle_types
    ):
        raise ValueError(f"{where}: demand {c.demand} exceeds every vehicle's capacity.")
