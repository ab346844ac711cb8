"""The street network background layer, built once from the local OSM extracts."""

from __future__ import annotations

import asyncio
from pathlib import Path

import orjson
from fastapi import APIRouter, HTTPException, Response, status

from api.deps import StateDep
from maps.streets import street_geojson

router = APIRouter(prefix="/maps", tags=["maps"])
_lock = asyncio.Lock()


def _build(osm_files: tuple[Path, ...]) -> bytes:
    from routing.network.osm import load_osm

    fc = street_geojson(load_osm(osm_files))
    fc["attribution"] = "© OpenStreetMap contributors"
    return orjson.dumps(fc)


@router.get(
    "/streets.geojson",
    responses={
        200: {"content": {"application/geo+json": {}}},
        404: {"description": "no OSM data configured"},
    },
)
async def streets(state: StateDep) -> Response:
    """The road network (© OpenStreetMap contributors) as a light map background."""
    if state.streets_json is None:
        if not state.config.osm_files:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no OSM data configured")
        async with _lock:
            if state.streets_json is None:
                try:
                    state.streets_json = await asyncio.to_thread(_build, state.config.osm_files)
                except (OSError, ValueError) as e:
                    raise HTTPException(
                        status.HTTP_404_NOT_FOUND, f"OSM data not readable: {e}"
                    ) from e
    return Response(
        state.streets_json,
        media_type="application/geo+json",
        headers={"Cache-Control": "public, max-age=86400"},
    )
