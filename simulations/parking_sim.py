"""Seeded simulation of a city's street parking and car parks (pure; no I/O).

Sites look like rows of Copenhagen's ``p_pladser`` layer (street, side, number of spaces,
district, parking scheme) plus a handful of off-street car parks. Occupancy is a birth-death
process per site: arrivals follow a time-of-week demand profile (residential, commercial or
night-life; weekends differ), each parked car leaves at a constant per-minute rate, and arrivals
that find the site full are lost. Demand is further modulated by a slowly drifting per-site level
and a city-wide daily factor, so the latest count carries information for minutes (turnover) and
for days (drift). Observations are :class:`core.records.ParkingObservation` every ``step_min``.
Local time (``tz``, the city profile's time zone) drives the demand profiles; each site takes
the district of the profile's polygon it lies in.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from core.districts import Districts
from core.domain import BoundingBox, ParkingSite
from core.records import ParkingObservation

PROFILES = ("residential", "commercial", "nightlife", "carpark")
SCHEMES = ("Rød zone", "Grøn zone", "Blå zone")
STREETS = (
    "Nørrebrogade",
    "Østerbrogade",
    "Jagtvej",
    "Blegdamsvej",
    "Gothersgade",
    "Store Kongensgade",
    "Fredensgade",
    "Ryesgade",
    "Nordre Fasanvej",
    "Åboulevard",
    "Sølvgade",
    "Stockholmsgade",
)
MEAN_STAY_MIN = {"residential": 300.0, "commercial": 75.0, "nightlife": 120.0, "carpark": 150.0}


@dataclass(frozen=True, slots=True)
class StreetPoint:
    """A place on the road network where a parking segment can be placed."""

    lon: float
    lat: float
    street: str


@dataclass(frozen=True, slots=True)
class SimSite:
    """A simulated site: domain record, p_pladser attributes, hidden profile."""

    site: ParkingSite
    side: str  # vejside: "lige" / "ulige" (even / odd numbers), "" for car parks
    scheme: str  # p_ordning
    profile: str  # one of PROFILES; the generating process, not visible to the model


@dataclass(frozen=True, slots=True)
class SimConfig:
    """Parameters of one simulation run; validated at construction."""

    n_street: int = 400
    n_carparks: int = 10
    step_min: int = 5
    substep_min: float = 1.0
    seed: int = 7
    demand_scale: float = 1.06  # multiplies all demand; >1 makes the city tighter
    drift_sd: float = 0.12  # stationary sd of the per-site log-demand drift
    drift_days: float = 2.0  # correlation time of that drift

    def __post_init__(self) -> None:
        if self.n_street < 0 or self.n_carparks < 0 or self.n_street + self.n_carparks == 0:
            raise ValueError("need at least one site (n_street + n_carparks > 0).")
        if self.step_min <= 0 or self.substep_min <= 0 or self.step_min % self.substep_min:
            raise ValueError("step_min must be a positive multiple of substep_min.")
        if self.drift_days <= 0:
            raise ValueError("drift_days must be positive.")


def central_points(n: int, seed: int, box: BoundingBox) -> list[StreetPoint]:
    """Fallback placement: ``n`` points scattered in ``box`` on made-up named streets."""
    rng = np.random.default_rng(seed)
    lon = rng.uniform(box.min_lon, box.max_lon, n)
    lat = rng.uniform(box.min_lat, box.max_lat, n)
    names = rng.choice(len(STREETS), n)
    return [
        StreetPoint(float(x), float(y), STREETS[k]) for x, y, k in zip(lon, lat, names, strict=True)
    ]


def scattered_sites(config: SimConfig, box: BoundingBox, districts: Districts) -> list[SimSite]:
    """:func:`make_sites` at points scattered in ``box`` (when there is no street network)."""
    n_total = config.n_street + config.n_carparks
    return make_sites(config, central_points(n_total, config.seed + 1, box), districts)


def make_sites(
    config: SimConfig, points: Sequence[StreetPoint], districts: Districts
) -> list[SimSite]:
    """Street segments at ``points`` (cycled if too few) plus car parks, in their districts."""
    rng = np.random.default_rng(config.seed)
    n_total = config.n_street + config.n_carparks
    pts = list(points)
    if not pts:
        raise ValueError("points must not be empty.")
    names = districts.assign([p.lon for p in pts], [p.lat for p in pts])
    sites: list[SimSite] = []
    for i in range(n_total):
        p = pts[i % len(pts)]
        district = str(names[i % len(pts)])
        if i < config.n_street:
            profile = str(rng.choice(PROFILES[:3], p=(0.55, 0.3, 0.15)))
            cap = int(rng.integers(5, 61))
            side = "lige" if i % 2 == 0 else "ulige"
            site = ParkingSite(
                f"cph-{i:04d}",
                f"{p.street} ({side})",
                "street",
                cap,
                p.lon,
                p.lat,
                p.street,
                district,
            )
            sites.append(SimSite(site, side, SCHEMES[int(rng.integers(len(SCHEMES)))], profile))
        else:
            cap = int(rng.integers(150, 801))
            k = i - config.n_street
            site = ParkingSite(
                f"cph-p{k:02d}",
                f"P-hus {p.street}",
                "carpark",
                cap,
                p.lon,
                p.lat,
                p.street,
                district,
            )
            sites.append(SimSite(site, "", "P-hus", "carpark"))
    return sites


def demand_rate(profile: str, local_hour: np.ndarray, weekday: np.ndarray) -> np.ndarray:
    """Target occupancy (parked cars / capacity, may exceed 1) by local hour and weekday 0=Mon."""
    h = np.asarray(local_hour, dtype=float)
    wd = np.asarray(weekday)
    weekend = wd >= 5

    def bump(centre: float, width: float) -> np.ndarray:
        d = (h - centre + 12.0) % 24.0 - 12.0
        return np.exp(-0.5 * (d / width) ** 2)

    if profile == "residential":  # full at night, emptier in working hours on weekdays
        day_dip = np.where(weekend, 0.12, 0.38) * bump(12.5, 3.5)
        return 1.02 - day_dip
    if profile == "commercial":  # shops and offices; Saturday shopping, quiet Sunday
        level = np.where(wd == 6, 0.35, np.where(wd == 5, 0.95, 1.05))
        return 0.25 + level * bump(13.0, 3.2)
    if profile == "nightlife":  # evenings, strongest Friday and Saturday night
        late = np.where((wd == 4) | (wd == 5), 1.1, 0.75)
        return 0.3 + late * bump(22.0, 2.5) + 0.2 * bump(13.0, 3.0)
    if profile == "carpark":
        level = np.where(wd == 6, 0.45, np.where(wd == 5, 0.9, 0.85))
        return 0.12 + level * bump(13.5, 3.0)
    raise ValueError(f"unknown profile {profile!r}")


def simulate(
    sites: Sequence[SimSite],
    start: datetime,
    days: float,
    config: SimConfig,
    tz: str,
) -> Iterator[ParkingObservation]:
    """Observations of every site every ``config.step_min`` minutes from ``start`` for ``days``
    (demand by local time in ``tz``)."""
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware.")
    for t, free in simulate_arrays(sites, start, days, config, tz):
        for s, f in zip(sites, free.tolist(), strict=True):
            yield ParkingObservation(s.site.site_id, t, f, s.site.capacity)


def simulate_arrays(
    sites: Sequence[SimSite],
    start: datetime,
    days: float,
    config: SimConfig,
    tz: str,
) -> Iterator[tuple[datetime, np.ndarray]]:
    """The same process as :func:`simulate`, yielding (time, free spaces per site) per step."""
    rng = np.random.default_rng(config.seed + 1000)
    zone = ZoneInfo(tz)
    cap = np.array([s.site.capacity for s in sites], dtype=np.int64)
    stay = np.array([MEAN_STAY_MIN[s.profile] for s in sites])
    leave_p = 1.0 - np.exp(-config.substep_min / stay)
    base = rng.lognormal(0.0, 0.08, len(sites)) * config.demand_scale
    minute = np.arange(7 * 1440)
    table = np.stack([demand_rate(p, (minute % 1440) / 60.0, minute // 1440) for p in PROFILES])
    which = np.array([PROFILES.index(s.profile) for s in sites])
    sub_per_step = int(config.step_min / config.substep_min)
    n_steps = int(days * 1440 / config.step_min)
    ou_decay = np.exp(-config.substep_min / (config.drift_days * 1440.0))
    ou_sd = config.drift_sd * np.sqrt(1.0 - ou_decay**2)
    drift = rng.normal(0.0, config.drift_sd, len(sites))
    utc_start = start.astimezone(UTC)
    occupied = np.minimum(cap, np.round(cap * 0.6)).astype(np.int64)
    city_day, city_factor = None, 1.0
    for step in range(n_steps + 1):
        t = utc_start + timedelta(minutes=step * config.step_min)
        yield t, cap - occupied
        if step == n_steps:
            break
        for sub in range(sub_per_step):
            tm = t + timedelta(minutes=sub * config.substep_min)
            local = tm.astimezone(zone)
            if local.date() != city_day:
                city_day, city_factor = local.date(), float(rng.lognormal(0.0, 0.06))
            target = table[which, local.weekday() * 1440 + local.hour * 60 + local.minute]
            demand = cap * target * base * city_factor * np.exp(drift)
            arrivals = rng.poisson(demand * config.substep_min / stay)
            departures = rng.binomial(occupied, leave_p)
            occupied = np.minimum(cap, occupied - departures + arrivals)
            drift = drift * ou_decay + rng.normal(0.0, ou_sd, len(sites))
