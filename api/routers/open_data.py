"""Open data (no login): bins, aggregated fill statistics and parking occupancy per site and
hour, as GeoJSON and CSV. Nothing personal: no vehicles, no drivers, no queries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from api.csv_safe import csv_text
from api.deps import PoolDep, StateDep, citizen_rate_limit
from core.db.open_data import bin_fills, fill_by_district_hour, occupancy_by_site_hour

router = APIRouter(
    prefix="/open",
    tags=["open data"],
    dependencies=[Depends(citizen_rate_limit)],
    responses={429: {"description": "rate limit exceeded"}},
)

Days = Annotated[int, Query(ge=1, le=31, description="days back from now")]
LICENSE = "Open data; map positions © OpenStreetMap contributors (ODbL)"


class Format(StrEnum):
    CSV = "csv"
    GEOJSON = "geojson"


def _csv(header: list[str], rows: list[Any]) -> Response:
    """CSV safe against formula injection (site and district names are user-contributed)."""
    return Response(csv_text(header, rows), media_type="text/csv; charset=utf-8")


def _geojson(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "license": LICENSE, "features": features}


@router.get(
    "/bins.geojson", response_model=dict, responses={200: {"content": {"application/geo+json": {}}}}
)
async def bins(pool: PoolDep) -> dict[str, Any]:
    """Litter bins with their latest ``fillingLevel`` (FIWARE WasteContainer)."""
    return _geojson(
        [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [b.lon, b.lat]},
                "properties": {
                    "id": b.bin_id,
                    "street": b.street,
                    "district": b.district,
                    "capacityLitres": b.capacity_l,
                    "fillingLevel": b.filling_level,
                    "dateObserved": b.observed_at.isoformat() if b.observed_at else None,
                },
            }
            for b in await bin_fills(pool)
        ]
    )


@router.get(
    "/fill-statistics", responses={200: {"content": {"text/csv": {}, "application/geo+json": {}}}}
)
async def fill_statistics(state: StateDep, days: Days = 7, format: Format = Format.CSV) -> Any:
    """Mean, maximum fill and reading count per district and hour of day (local time)."""
    since = datetime.now(UTC) - timedelta(days=days)
    rows = await fill_by_district_hour(state.pool, since, state.config.timezone)
    if format == Format.CSV:
        return _csv(
            ["district", "hour", "mean_filling_level", "max_filling_level", "readings"],
            [
                (r.district, r.hour, round(r.mean_fill, 4), round(r.max_fill, 4), r.readings)
                for r in rows
            ],
        )
    return _geojson(
        [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [r.lon, r.lat]},
                "properties": {
                    "district": r.district,
                    "hour": r.hour,
                    "meanFillingLevel": round(r.mean_fill, 4),
                    "readings": r.readings,
                },
            }
            for r in rows
        ]
    )


@router.get(
    "/parking-occupancy", responses={200: {"content": {"text/csv": {}, "application/geo+json": {}}}}
)
async def parking_occupancy(state: StateDep, days: Days = 7, format: Format = Format.CSV) -> Any:
    """Mean occupancy (1 − free/capacity) per parking site and hour of day (local time)."""
    since = datetime.now(UTC) - timedelta(days=days)
    rows = await occupancy_by_site_hour(state.pool, since, state.config.timezone)
    if format == Format.CSV:
        return _csv(
            ["site_id", "name", "hour", "mean_occupancy", "observations"],
            [(r.site_id, r.name, r.hour, round(r.occupancy, 4), r.observations) for r in rows],
        )
    return _geojson(
        [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [r.lon, r.lat]},
                "properties": {
                    "id": r.site_id,
                    "name": r.name,
                    "hour": r.hour,
                    "meanOccupancy": round(r.occupancy, 4),
                    "observations": r.observations,
                },
            }
            for r in rows
        ]
    )
