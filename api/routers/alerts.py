"""Planners: the bin alerts (sensor health, bins full before their next planned visit), with
their evidence. Computed on demand from the database and the live map's forecasts
(:func:`api.live.live_alerts`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.alert_texts import alert_text
from api.deps import PlannerDep, StateDep
from api.i18n import Lang
from api.live import live_alerts
from api.schemas.alerts import AlertPublic, AlertsPublic
from fleet.alerts.types import AlertKind

router = APIRouter(
    prefix="/api",
    tags=["planner"],
    responses={401: {"description": "not authenticated"}, 403: {"description": "planners only"}},
)


@router.get("/alerts", response_model=AlertsPublic)
async def list_alerts(
    user: PlannerDep,
    state: StateDep,
    kind: Annotated[AlertKind | None, Query(description="only alerts of this kind")] = None,
    lang: Annotated[Lang, Query(description="language of the messages: da or en")] = Lang.EN,
) -> AlertsPublic:
    """Bins whose sensor is silent, stuck, jumps implausibly or runs low on battery, and bins
    predicted full before their next planned visit; each alert with its evidence."""
    cfg = state.config
    async with state.pool.acquire() as conn:
        live = await live_alerts(conn, cfg)
    found = live.alerts
    return AlertsPublic(
        computed_at=live.computed_at,
        counts={k: sum(a.kind is k for a in found) for k in AlertKind},
        alerts=[
            AlertPublic(
                kind=a.kind,
                bin_id=a.bin_id,
                street=a.street,
                lon=a.lon,
                lat=a.lat,
                at=a.at,
                message=alert_text(a, lang, cfg.timezone),
                evidence=dict(a.evidence),
            )
            for a in found
            if kind is None or a.kind is kind
        ],
    )
