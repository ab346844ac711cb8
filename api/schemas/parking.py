"""Citizen parking payloads (FIWARE-inspired names where one exists)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class ParkingSiteBase(BaseModel):
    """A parking site's identity and place."""

    site_id: str = Field(examples=["cph-0042"])
    name: str = Field(examples=["Nørre Farimagsgade"])
    kind: str = Field(examples=["street"])
    lon: float = Field(examples=[12.5605])
    lat: float = Field(examples=[55.6905])


class ParkingCandidatePublic(ParkingSiteBase):
    """One ranked site with its forecast."""

    p_free: float = Field(ge=0, le=1, description="probability of at least one free space")
    expected_free: float = Field(ge=0, description="expected number of free spaces")
    walk_m: float = Field(ge=0, description="estimated walk from the asked point, metres")
    walk_min: float = Field(ge=0)
    last_free: int | None = Field(None, description="latest counted free spaces, if recent")
    lead_min: float | None = Field(None, description="minutes between that count and arrival")


class ParkingAnswerPublic(BaseModel):
    """Ranked candidates near a place for an arrival time, with a best bet."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "at": "2024-03-18T09:00:00+01:00",
                    "lang": "en",
                    "reason": "Nearest site with at least 80% chance: 91% chance, 3 min walk.",
                    "best_bet": None,
                    "candidates": [],
                }
            ]
        }
    )

    at: datetime
    lang: str
    reason: str
    best_bet: ParkingCandidatePublic | None
    candidates: list[ParkingCandidatePublic]
