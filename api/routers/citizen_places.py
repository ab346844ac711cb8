"""Citizens (no login, rate-limited): find a street or place by name (offline, from the city's
OpenStreetMap names) and the parking map page, which answers as text too."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from api.citizen_page import parking_panel, search_form
from api.deps import StateDep, citizen_rate_limit
from api.html import page
from api.i18n import t
from api.page_shell import PageLang, switch_link
from api.place_search import place_index
from api.routers.citizen import Limit, Radius, _answer, _reason, _views
from maps.pages import parking_map
from maps.places import PlaceIndex
from parking.nearby import QueryOptions

router = APIRouter(
    prefix="/citizen",
    tags=["citizen"],
    dependencies=[Depends(citizen_rate_limit)],
    responses={429: {"description": "rate limit exceeded"}},
)
PlacesDep = Annotated[PlaceIndex, Depends(place_index)]
TextQ = Annotated[str, Query(max_length=32, description="empty: not given")]


class PlacePublic(BaseModel):
    """A street or place by name with a point on it."""

    name: str = Field(examples=["Nørrebrogade"])
    lon: float = Field(examples=[12.5535])
    lat: float = Field(examples=[55.6947])


@router.get("/places", response_model=list[PlacePublic])
async def places(
    index: PlacesDep,
    q: Annotated[str, Query(min_length=1, max_length=100, description="name or its start")],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[PlacePublic]:
    """Streets and places whose name (or a word of it) starts with ``q``, case- and
    accent-insensitively (``norrebro`` finds Nørrebrogade); from the city's OpenStreetMap data
    (© OpenStreetMap contributors), no request leaves the server."""
    return [PlacePublic(name=p.name, lon=p.lon, lat=p.lat) for p in index.search(q, limit)]


def _number(value: str, name: str, low: float, high: float) -> float | None:
    if not value.strip():
        return None
    try:
        x = float(value)
    except ValueError:
        x = math.nan
    if not low <= x <= high:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, f"{name} must be a number in [{low}, {high}]"
        )
    return x


def _when(value: str) -> datetime | None:
    if not value.strip():
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError as e:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "at must be a date and time (ISO 8601)"
        ) from e


@router.get("/parking/map", response_class=HTMLResponse)
async def parking_page(
    request: Request,
    state: StateDep,
    index: PlacesDep,
    lang: PageLang,
    q: Annotated[str, Query(max_length=100, description="a street or place by name")] = "",
    lon: TextQ = "",
    lat: TextQ = "",
    at: Annotated[
        str, Query(max_length=40, description="arrival (ISO 8601; without an offset: local)")
    ] = "",
    radius_m: Radius = 500,
    limit: Limit = 20,
) -> HTMLResponse:
    """A map page of parking likelihood around a street or place found by name (``q``), else
    (lon, lat), else the city's centre, in Danish or English; the answer is also given as text
    and as a table of the ranked sites."""
    cfg = state.config
    x = _number(lon, "lon", -180, 180)
    y = _number(lat, "lat", -90, 90)
    where = (x, y) if x is not None and y is not None else cfg.map_centre
    note = ""
    if q.strip():
        found = index.resolve(q)
        if found is None:
            note = t(lang, "place_not_found", q=q.strip())
        else:
            where, note = (found.lon, found.lat), t(lang, "place_found", name=found.name)
    a = await _answer(state, where[0], where[1], _when(at), radius_m, limit)
    labels = {k: t(lang, k) for k in ("p_free", "expected_free", "walk")}
    m = parking_map(
        _views(a),
        where,
        cfg.static_prefix,
        cfg.tile_url,
        "/maps/streets.geojson",
        labels,
        city_centre=cfg.map_centre,
    )
    reason = _reason(a, lang, radius_m, QueryOptions().target_p)
    form = search_form(lang, q, where[0], where[1], a.at, radius_m, cfg.timezone)
    best = a.best_bet.name if a.best_bet is not None else ""
    panel = parking_panel(
        lang, form, note, reason, best, a.at, a.candidates, switch_link(request, lang)
    )
    return HTMLResponse(page(m, t(lang, "title"), panel, lang.value))
