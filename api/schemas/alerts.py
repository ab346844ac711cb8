"""Bin alert payloads: each alert with its evidence (fleet/alerts/)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from fleet.alerts.types import AlertKind

EvidenceValue = bool | int | float | datetime | str | None


class AlertPublic(BaseModel):
    """One alert on one bin."""

    kind: AlertKind
    bin_id: str
    street: str
    lon: float
    lat: float
    at: datetime = Field(description="when the condition was seen to start")
    message: str = Field(description="the evidence in words, in the asked language")
    evidence: dict[str, EvidenceValue] = Field(
        description="what the alert rests on; keys per kind: fleet/alerts/sensors.py, overflow.py"
    )


class AlertsPublic(BaseModel):
    """The alerts now (computed on demand, reused for up to a minute), most urgent kind first."""

    computed_at: datetime
    counts: dict[AlertKind, int] = Field(description="alerts per kind (before the kind filter)")
    alerts: list[AlertPublic]
