"""Trucks driving a day's plan: traffic, service and unload times, full trucks, shift end.

Pure. Each truck leaves its depot at its shift start and takes its stops in order. Legs take the
network time x the day's traffic factors; emptying a bin takes its service time x its day's
factor. When the litres found in a bin do not fit, the truck drives to the nearest disposal
site, unloads and comes back. Before each bin the driver checks that, after emptying it, the
truck can still unload and be home by the shift end; if not, that bin and the rest of the route
are not done today. A planned unload with an empty truck is skipped; a truck with load unloads
on its way home. Each truck's km are split into legs between bins, legs to or from a disposal
site, and the other legs from or to its depot. The caller supplies the true litres in a bin at
a time (``content_of``), which is the simulator's business, not the policy's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from core.domain import Vehicle
from simulations.loop.clock import Clock
from simulations.loop.planner import RoutePlan, TruckRoute
from simulations.loop.scenario import Scenario
from simulations.loop.traffic import DayTraffic


@dataclass(frozen=True, slots=True)
class Service:
    """A bin emptied: inventory index, sim hour service starts, litres found, truck."""

    bin_index: int
    t_h: float
    litres: float
    vehicle_id: str


@dataclass(frozen=True, slots=True)
class Leg:
    """A drive between matrix points, leaving and arriving at sim hours (stops lie between)."""

    origin: int
    destination: int
    depart_h: float
    arrive_h: float


@dataclass(frozen=True, slots=True)
class TruckDay:
    """What one truck did."""

    vehicle_id: str
    km: float
    drive_h: float
    route_h: float
    disposal_trips: int
    co2_kg: float
    done: int
    not_done: tuple[str, ...]  # planned bins left at shift end
    legs: tuple[Leg, ...] = ()
    km_disposal: float = 0.0  # legs to or from a disposal site
    km_depot: float = 0.0  # legs from or to the depot that touch no disposal site
    # km - km_disposal - km_depot: legs from bin to bin

    @property
    def km_bins(self) -> float:
        return self.km - self.km_disposal - self.km_depot


@dataclass(frozen=True, slots=True)
class DayExecution:
    services: tuple[Service, ...]
    trucks: tuple[TruckDay, ...]

    @property
    def not_done(self) -> tuple[str, ...]:
        return tuple(b for t in self.trucks for b in t.not_done)


class _Drive:
    """One truck's progress: position, clock, load and counters."""

    def __init__(self, sc: Scenario, traffic: DayTraffic, truck: Vehicle, t0: float) -> None:
        self.sc, self.traffic, self.truck = sc, traffic, truck
        self.home = sc.site_point(truck.depot_id)
        self.pos, self.t, self.t0 = self.home, t0, t0
        self.load = 0.0
        self.metres = self.drive_h = 0.0
        self.disposal_m = self.depot_m = 0.0
        self.sites = frozenset(sc.disposal_points())
        self.trips = 0
        self.legs: list[Leg] = []

    def leg_h(self, i: int, j: int) -> float:
        return float(self.sc.matrix.time_s[i, j]) * self.traffic.leg_factor(i, j) / 3600.0

    def go(self, j: int) -> None:
        h = self.leg_h(self.pos, j)
        m = float(self.sc.matrix.dist_m[self.pos, j])
        self.metres += m
        if self.pos in self.sites or j in self.sites:
            self.disposal_m += m
        elif self.home in (self.pos, j):
            self.depot_m += m
        self.drive_h += h
        self.legs.append(Leg(self.pos, j, self.t, self.t + h))
        self.t += h
        self.pos = j

    def best_site(self, p: int) -> int:
        """The disposal site on the quickest way from ``p`` home."""
        sites = self.sc.disposal_points()
        return min(sites, key=lambda s: self.leg_h(p, s) + self.leg_h(s, self.home))

    def unload(self, site: int, unload_h: float) -> None:
        self.go(site)
        self.t += unload_h
        self.load = 0.0
        self.trips += 1

    def home_h(self, p: int, unload_h: float, loaded: bool) -> float:
        """Hours from point ``p`` to the depot, unloading on the way if ``loaded``."""
        if not loaded:
            return self.leg_h(p, self.home)
        s = self.best_site(p)
        return self.leg_h(p, s) + unload_h + self.leg_h(s, self.home)


def _drive_route(
    sc: Scenario,
    clock: Clock,
    day: int,
    traffic: DayTraffic,
    route: TruckRoute,
    content_of: Callable[[int, float], float],
    unload_h: float,
) -> tuple[list[Service], TruckDay]:
    truck = next(t for t in sc.trucks if t.vehicle_id == route.vehicle_id)
    index = sc.bin_index
    d = _Drive(sc, traffic, truck, clock.at(day, truck.shift_start_h))
    end = clock.at(day, truck.shift_end_h)
    services: list[Service] = []
    not_done: tuple[str, ...] = ()
    for k, stop in enumerate(route.stops):
        if stop not in index:  # a disposal site
            if d.load > 0:
                d.unload(sc.site_point(stop), unload_h)
            continue
        b = index[stop]
        p = sc.bin_point(b)
        service_h = sc.bins[b].service_s * float(traffic.service[b]) / 3600.0
        arrive = d.t + d.leg_h(d.pos, p)
        litres = content_of(b, arrive)
        full = d.load + litres > truck.capacity_l
        if full:  # unload first, then come back
            site = d.best_site(d.pos)
            arrive = d.t + d.leg_h(d.pos, site) + unload_h + d.leg_h(site, p)
        if arrive + service_h + d.home_h(p, unload_h, True) > end:
            not_done = tuple(s for s in route.stops[k:] if s in index)
            break
        if full:
            d.unload(site, unload_h)
            litres = content_of(b, d.t + d.leg_h(d.pos, p))
        d.go(p)
        services.append(Service(b, d.t, litres, truck.vehicle_id))
        d.t += service_h
        d.load += litres
    if d.load > 0:
        d.unload(d.best_site(d.pos), unload_h)
    d.go(d.home)
    km = d.metres / 1000.0
    return services, TruckDay(
        vehicle_id=truck.vehicle_id,
        km=km,
        drive_h=d.drive_h,
        route_h=d.t - d.t0,
        disposal_trips=d.trips,
        co2_kg=km * truck.co2_g_per_km / 1000.0,
        done=len(services),
        not_done=not_done,
        legs=tuple(d.legs),
        km_disposal=d.disposal_m / 1000.0,
        km_depot=d.depot_m / 1000.0,
    )


def execute(
    sc: Scenario,
    clock: Clock,
    day: int,
    plan: RoutePlan,
    traffic: DayTraffic,
    content_of: Callable[[int, float], float],
    unload_s: float,
) -> DayExecution:
    """Drive ``plan`` on ``day``; trucks with no stops stay at the depot."""
    services: list[Service] = []
    trucks: list[TruckDay] = []
    for route in plan.routes:
        if not route.stops:
            continue
        s, t = _drive_route(sc, clock, day, traffic, route, content_of, unload_s / 3600.0)
        services += s
        trucks.append(t)
    services.sort(key=lambda s: (s.t_h, s.bin_index))
    return DayExecution(services=tuple(services), trucks=tuple(trucks))
