"""The city's street-name index, built once per application from the OSM extracts it already
serves the street layer from (a fraction of a second), for the citizens' place search."""

from __future__ import annotations

import asyncio
from pathlib import Path

from fastapi import Request

from maps.places import PlaceIndex, build_index

_lock = asyncio.Lock()


def _build(osm_files: tuple[Path, ...]) -> PlaceIndex:
    from routing.network.osm import load_osm

    return build_index(load_osm(osm_files))


async def place_index(request: Request) -> PlaceIndex:
    """The application's name index; empty when no OSM data is configured or readable."""
    index: PlaceIndex | None = getattr(request.app.state, "places", None)
    if index is None:
        async with _lock:
            index = getattr(request.app.state, "places", None)
            if index is None:
                files = request.app.state.api.config.osm_files
                try:
                    index = await asyncio.to_thread(_build, files) if files else None
                except (OSError, ValueError):
                    index = None
                index = index or PlaceIndex((), ())
                request.app.state.places = index
    return index
