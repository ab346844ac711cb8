"""Open data (no login): bins, aggregated fill statistics and parking occupancy per site and
hour, as GeoJSON and CSV. Nothing personal: no vehicles, no drivers, no queries."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from api.deps import PoolDep, citizen_rate_limit

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
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    return Response(buf.getvalue(), media_type="text/csv; charset=utf-8")


def _geojson(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "license": LICENSE, "features": features}


@router.get(
    "/bins.geojson", response_model=dict, responses={200: {"content": {"application/geo+json": {}}}}
)
async def bins(pool: PoolDep) -> dict[str, Any]:
    """Litter bins with their latest ``fillingLevel`` (FIWARE WasteContainer)."""
    rows = await pool.fetch(
        "SELECT b.bin_id, b.lon, b.lat, b.street, b.district, b.capacity_l, s.filling_level,"
        " s.observed_at FROM bins b LEFT JOIN bin_state s USING (bin_id) ORDER BY b.bin_id"
    )
    return _geojson(
        [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
                "properties": {
                    "id": r["bin_id"],
                    "street": r["street"],
                    "district": r["district"],
                    "capacityLitres": r["capacity_l"],
                    "fillingLevel": r["filling_level"],
                    "dateObserved": r["observed_at"].isoformat() if r["observed_at"] else None,
                },
            }
            for r in rows
        ]
    )


@router.get(
    "/fill-statistics", responses={200: {"content": {"text/csv": {}, "application/geo+json": {}}}}
)
async def fill_statistics(pool: PoolDep, days: Days = 7, format: Format = Format.CSV) -> Any:
    """Mean, maximum fill and reading count per district and hour of day (local time)."""
    since = datetime.now(UTC) - timedelta(days=days)
    rows = await pool.fetch(
        "SELECT b.district, extract(hour FROM r.observed_at AT TIME ZONE 'Europe/Copenhagen')::int"
        " AS hour, avg(r.filling_level) AS mean_fill, max(r.filling_level) AS max_fill,"
        " count(*) AS n, avg(b.lon) AS lon, avg(b.lat) AS lat"
        " FROM fill_readings r JOIN bins b ON b.bin_id = r.sensor_id"
        " WHERE r.observed_at >= $1 AND r.src_partition >= 0"
        " GROUP BY b.district, hour ORDER BY b.district, hour",
        since,
    )
    if format == Format.CSV:
        return _csv(
            ["district", "hour", "mean_filling_level", "max_filling_level", "readings"],
            [
                (
                    r["district"],
                    r["hour"],
                    round(r["mean_fill"], 4),
                    round(r["max_fill"], 4),
                    r["n"],
                )
                for r in rows
            ],
        )
    return _geojson(
        [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
                "properties": {
                    "district": r["district"],
                    "hour": r["hour"],
                    "meanFillingLevel": round(r["mean_fill"], 4),
                    "readings": r["n"],
                },
            }
            for r in rows
        ]
    )


@router.get(
    "/parking-occupancy", responses={200: {"content": {"text/csv": {}, "application/geo+json": {}}}}
)
async def parking_occupancy(pool: PoolDep, days: Days = 7, format: Format = Format.CSV) -> Any:
    """Mean occupancy (1 − free/capacity) per parking site and hour of day (local time)."""
    since = datetime.now(UTC) - timedelta(days=days)
    rows = await pool.fetch(
        "SELECT o.site_id, s.name, s.lon, s.lat,"
        " extract(hour FROM o.observed_at AT TIME ZONE 'Europe/Copenhagen')::int AS hour,"
        " avg(1 - o.free::float8 / o.capacity) AS occupancy, count(*) AS n"
        " FROM parking_observations o JOIN parking_sites s USING (site_id)"
        " WHERE o.observed_at >= $1 GROUP BY o.site_id, s.name, s.lon, s.lat, hour"
        " ORDER BY o.site_id, hour",
        since,
    )
    if format == Format.CSV:
        return _csv(
            ["site_id", "name", "hour", "mean_occupancy", "observations"],
            [(r["site_id"], r["name"], r["hour"], round(r["occupancy"], 4), r["n"]) for r in rows],
        )
    return _geojson(
        [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
                "properties": {
                    "id": r["site_id"],
                    "name": r["name"],
                    "hour": r["hour"],
                    "meanOccupancy": round(r["occupancy"], 4),
                    "observations": r["n"],
                },
            }
            for r in rows
        ]
    )
