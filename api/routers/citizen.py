"""Citizens (no login, rate-limited): parking likelihood as JSON and GeoJSON (the map page:
:mod:`api.routers.citizen_places`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, HTTPException, Query, status

from api.deps import StateDep, citizen_rate_limit
from api.i18n import Lang, t
from api.parking_service import ParkingUnavailable
from api.schemas.parking import ParkingAnswerPublic, ParkingCandidatePublic
from maps.geojson import parking_geojson
from maps.views import ParkingView
from parking.nearby import Candidate, ParkingAnswer, QueryOptions

router = APIRouter(
    prefix="/citizen",
    tags=["citizen"],
    dependencies=[Depends(citizen_rate_limit)],
    responses={
        429: {"description": "rate limit exceeded"},
        503: {"description": "parking model not loaded"},
    },
)

MAX_AHEAD = timedelta(days=31)
MAX_BEHIND = timedelta(days=7)
Lon = Annotated[float, Query(ge=-180, le=180, description="longitude (WGS84)", examples=[12.5605])]
Lat = Annotated[float, Query(ge=-90, le=90, description="latitude (WGS84)", examples=[55.6905])]
At = Annotated[
    datetime | None,
    Query(
        description="arrival time (ISO 8601; without an offset: local time); default now",
        examples=["2024-03-18T09:00:00+01:00"],
    ),
]
Radius = Annotated[float, Query(ge=10, le=5000, description="search radius in metres")]
Limit = Annotated[int, Query(ge=1, le=50)]
LangQ = Annotated[Lang, Query(description="language of texts: da or en")]


def _arrival(at: datetime | None, tz: str) -> datetime:
    now = datetime.now(UTC)
    if at is None:
        return now.astimezone(ZoneInfo(tz))
    if at.tzinfo is None:
        at = at.replace(tzinfo=ZoneInfo(tz))
    try:
        ok = now - MAX_BEHIND <= at <= now + MAX_AHEAD
    except OverflowError:
        ok = False
    if not ok:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            "at must be within 7 days before and 31 days after now",
        )
    return at


def _reason(answer: ParkingAnswer, lang: Lang, radius: float, target: float) -> str:
    if answer.best_bet is None:
        return t(lang, "none", radius=f"{radius:.0f}")
    b = answer.best_bet
    key = "reached" if b.p_free >= target else "not_reached"
    return t(lang, key, target=f"{target:.0%}", p=f"{b.p_free:.0%}", walk=f"{b.walk_min:.0f}")


def _public(c: Candidate) -> ParkingCandidatePublic:
    return ParkingCandidatePublic(
        site_id=c.site_id,
        name=c.name,
        kind=c.kind,
        lon=c.lon,
        lat=c.lat,
        p_free=c.p_free,
        expected_free=c.expected_free,
        walk_m=c.walk_m,
        walk_min=c.walk_min,
        last_free=c.last_free,
        lead_min=c.lead_min,
    )


async def _answer(
    state: StateDep, lon: float, lat: float, at: datetime | None, radius_m: float, limit: int
) -> ParkingAnswer:
    try:
        model = state.parking.require()
        when = _arrival(at, model.tz)
        return await state.parking.query(
            state.pool, lon, lat, radius_m, when, QueryOptions(limit=limit)
        )
    except ParkingUnavailable as e:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(e)) from e


@router.get("/parking", response_model=ParkingAnswerPublic)
async def parking(
    state: StateDep,
    lon: Lon,
    lat: Lat,
    at: At = None,
    radius_m: Radius = 500,
    limit: Limit = 10,
    lang: LangQ = Lang.EN,
) -> ParkingAnswerPublic:
    """Where am I likely to find a free space near (lon, lat) when I arrive?"""
    a = await _answer(state, lon, lat, at, radius_m, limit)
    return ParkingAnswerPublic(
        at=a.at,
        lang=lang.value,
        reason=_reason(a, lang, radius_m, QueryOptions().target_p),
        best_bet=_public(a.best_bet) if a.best_bet else None,
        candidates=[_public(c) for c in a.candidates],
    )


def _views(a: ParkingAnswer, with_walk: bool = True) -> list[ParkingView]:
    return [
        ParkingView(
            c.site_id,
            c.name,
            c.lon,
            c.lat,
            c.p_free,
            c.expected_free,
            c.walk_min if with_walk else None,
        )
        for c in a.candidates
    ]


@router.get(
    "/parking.geojson",
    response_model=dict,
    responses={200: {"content": {"application/geo+json": {}}}},
)
async def parking_probabilities(
    state: StateDep,
    lon: Annotated[float | None, Query(ge=-180, le=180, description="default: city centre")] = None,
    lat: Annotated[float | None, Query(ge=-90, le=90, description="default: city centre")] = None,
    at: At = None,
    radius_m: Annotated[float, Query(ge=10, le=50_000)] = 50_000,
) -> dict[str, object]:
    """Every parking site within ``radius_m`` of (lon, lat) (default: the city's map centre)
    with its probability of a free space at ``at``."""
    if lon is None or lat is None:
        lon, lat = state.config.map_centre
    a = await _answer(state, lon, lat, at, radius_m, 100_000)
    fc = parking_geojson(_views(a, with_walk=False))
    return {**fc, "at": a.at.isoformat(), "attribution": "© OpenStreetMap contributors"}
