"""Utilisation and unused vehicles over a period, from stored vehicle-days (pure).

A vehicle's *utilisation* is the share of its shift time in use: the sum over the period's days
of its time in use within its shift (``shift_start_h``..``shift_end_h`` local clock time)
divided by the sum of its shift lengths. The vehicles table carries no roster, so every day of
the period counts as a shift day (weekends and holidays lower the figure alike for all).
A vehicle is *unused* over a period when it was in use for no second of it: a candidate for
fleet right-sizing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from core.domain import Vehicle
from fleet.aggregate_types import VehicleDay
from fleet.privacy import pseudonym


@dataclass(frozen=True, slots=True)
class Utilisation:
    """One vehicle over a period."""

    pseudonym: str
    kind: str
    days: int
    shift_h: float
    in_use_h: float
    in_shift_use_h: float
    km: float
    co2_kg: float

    @property
    def share(self) -> float | None:
        """In-shift use over shift time (None without shift time)."""
        return self.in_shift_use_h / self.shift_h if self.shift_h > 0 else None


@dataclass(frozen=True, slots=True)
class UnusedVehicle:
    """A vehicle in use for no second of a period; its id when it is still in the inventory
    (a municipal asset; no position or time of a driver comes with it)."""

    pseudonym: str
    kind: str
    days: int
    vehicle_id: str | None = None
    depot_id: str | None = None


def utilisation(rows: Iterable[tuple[date, VehicleDay]]) -> list[Utilisation]:
    """Per vehicle over the days of ``rows``, by kind then lowest utilisation first."""
    acc: dict[str, list[float]] = {}
    kinds: dict[str, str] = {}
    for _, v in rows:
        a = acc.setdefault(v.pseudonym, [0, 0.0, 0.0, 0.0, 0.0, 0.0])
        kinds[v.pseudonym] = v.kind
        a[0] += 1
        a[1] += v.shift_s / 3600
        a[2] += v.usage.in_use_s / 3600
        a[3] += v.in_shift_use_s / 3600
        a[4] += v.usage.km
        a[5] += v.usage.co2_kg
    out = [Utilisation(p, kinds[p], int(a[0]), *a[1:]) for p, a in acc.items()]
    out.sort(key=lambda u: (u.kind, u.share if u.share is not None else -1.0, u.pseudonym))
    return out


def unused(
    rows: Iterable[tuple[date, VehicleDay]], inventory: Sequence[Vehicle] = (), key: str = ""
) -> list[UnusedVehicle]:
    """Vehicles with stored days and no time in use in any of them, by kind and pseudonym;
    those still in ``inventory`` are named (their pseudonym recomputed under ``key``)."""
    days: dict[str, int] = {}
    used: set[str] = set()
    kinds: dict[str, str] = {}
    for _, v in rows:
        days[v.pseudonym] = days.get(v.pseudonym, 0) + 1
        kinds[v.pseudonym] = v.kind
        if v.usage.in_use_s > 0:
            used.add(v.pseudonym)
    names: Mapping[str, Vehicle] = (
        {pseudonym(key, v.vehicle_id): v for v in inventory} if key else {}
    )
    out = []
    for p in sorted(set(days) - used, key=lambda p: (kinds[p], p)):
        known = names.get(p)
        out.append(
            UnusedVehicle(
                p,
                kinds[p],
                days[p],
                known.vehicle_id if known else None,
                known.depot_id if known else None,
            )
        )
    return out
