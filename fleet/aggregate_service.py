"""Adapter orchestration of the fleet's daily aggregates: inventory and a local day of GPS →
:func:`fleet.aggregates.aggregate_day` → stored (:mod:`core.db.fleet_aggregates`).

GPS is read through the one logged reader of raw history (:func:`core.db.fleet.read_traces`,
purpose ``fleet_aggregates``) in batches of vehicles (one access-log row per batch), from local
midnight to midnight in the city's zone widened by an hour on both sides (the first and last
intervals get their context; only the day's own time counts). Used by ``city-fleet aggregate``
and the API process's daily job.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import asyncpg

from core.db.fleet import read_traces
from core.db.fleet_aggregates import save_day
from core.db.inventory import load_bins, load_sites, load_vehicles
from core.districts import Districts
from core.settings import Settings
from fleet.aggregate_types import AggregateParams, DayAggregates, waste_places
from fleet.aggregates import aggregate_day, day_window

log = logging.getLogger(__name__)
PURPOSE = "fleet_aggregates"
MARGIN_S = 3600.0


@dataclass(frozen=True)
class AggregateJob:
    """What computing a day needs besides the database: the city's zone and districts, the
    pseudonym key, the thresholds and how many vehicles to read GPS for at once."""

    timezone: str
    districts: Districts
    key: str
    params: AggregateParams = field(default_factory=AggregateParams)
    batch_vehicles: int = 200

    def __post_init__(self) -> None:
        if not self.key:
            raise ValueError("a pseudonymisation key is required.")
        if self.batch_vehicles < 1:
            raise ValueError("batch_vehicles must be positive.")


def job_from_settings(settings: Settings) -> AggregateJob:
    """The configured city's zone and districts, and the pseudonym key."""
    profile = settings.city_profile()
    return AggregateJob(
        profile.timezone, profile.districts, settings.pseudonym_key.get_secret_value()
    )


async def compute_day(
    conn: asyncpg.Connection, day: date, job: AggregateJob, actor: str
) -> DayAggregates:
    """The local ``day``'s aggregates of every inventory vehicle, used or not (ingest refuses
    GPS of vehicles not in the inventory), not stored."""
    vehicles = await load_vehicles(conn)
    places = waste_places(
        [(b.lon, b.lat) for b in await load_bins(conn)],
        [(s.lon, s.lat) for s in await load_sites(conn, "disposal")],
        [(s.lon, s.lat) for s in await load_sites(conn, "depot")],
    )
    since, until = day_window(day, job.timezone, MARGIN_S)
    ids = [v.vehicle_id for v in vehicles]
    parts = []
    for i in range(0, max(len(ids), 1), job.batch_vehicles):
        batch = ids[i : i + job.batch_vehicles]
        traces = await read_traces(conn, since, until, actor, PURPOSE, vehicle_ids=batch)
        parts.append(
            aggregate_day(
                day,
                traces,
                vehicles[i : i + job.batch_vehicles],
                tz=job.timezone,
                districts=job.districts,
                places=places,
                key=job.key,
                params=job.params,
            )
        )
    return DayAggregates.merge(parts)


async def aggregate_days(
    conn: asyncpg.Connection,
    days: Sequence[date],
    job: AggregateJob,
    actor: str,
    *,
    skip_empty: bool = False,
) -> list[DayAggregates]:
    """Compute and store each of ``days`` (replacing what was stored for it); with
    ``skip_empty``, a day without any GPS fix is neither stored nor returned."""
    out = []
    for day in days:
        agg = await compute_day(conn, day, job, actor)
        if skip_empty and agg.fixes == 0:
            continue
        await save_day(conn, agg, actor, datetime.now(UTC))
        log.info("fleet aggregates of %s: %d vehicles, %d fixes", day, len(agg.vehicles), agg.fixes)
        out.append(agg)
    return out
