"""Driver route payloads."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

MAX_CLOCK_SKEW = timedelta(minutes=5)  # a phone's clock may run a little ahead


class SkipReason(StrEnum):
    """Why a bin was not emptied."""

    BLOCKED = "blocked"
    NOT_ACCESSIBLE = "not_accessible"
    ALREADY_EMPTY = "already_empty"
    DAMAGED = "damaged"
    OTHER = "other"


class StopStatus(StrEnum):
    EMPTIED = "emptied"
    SKIPPED = "skipped"


class StopBase(BaseModel):
    """A stop's place in the route."""

    seq: int = Field(ge=0)
    kind: str = Field(examples=["bin"], description="bin, disposal or depot")
    bin_id: str | None = Field(None, examples=["bin-0042"])
    site_id: str | None = None
    street: str = ""
    lon: float
    lat: float
    eta: datetime
    departs_at: datetime


class StopPublic(StopBase):
    """A stop with what the driver reported."""

    status: str = Field(examples=["planned"], description="planned, emptied or skipped")
    reported_at: datetime | None = None
    fill_observed: float | None = None
    skip_reason: str | None = None


class ProgressPublic(BaseModel):
    """Bin stops by status."""

    planned: int = 0
    emptied: int = 0
    skipped: int = 0
    total: int = 0


class RoutePublic(BaseModel):
    """One vehicle's route in a plan."""

    plan_id: int
    plan_date: date
    vehicle_id: str
    progress: ProgressPublic
    stops: list[StopPublic]


class StopReportCreate(BaseModel):
    """A driver's report on a bin stop."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"status": "emptied", "fill_observed": 0.85},
                {"status": "skipped", "skip_reason": "blocked"},
            ]
        },
    )

    status: StopStatus
    fill_observed: float | None = Field(None, ge=0, le=1, description="fillingLevel seen (0-1)")
    skip_reason: SkipReason | None = None
    reported_at: datetime | None = Field(
        None,
        description="when the stop was done, for a report the app queued offline and sends"
        " later (with a time zone, not in the future, not before the plan's day); default:"
        " when the report arrives",
    )

    @model_validator(mode="after")
    def _reason_matches_status(self) -> StopReportCreate:
        if self.status == StopStatus.SKIPPED and self.skip_reason is None:
            raise ValueError("a skipped stop needs a skip_reason")
        if self.status == StopStatus.EMPTIED and self.skip_reason is not None:
            raise ValueError("an emptied stop takes no skip_reason")
        if self.reported_at is not None:
            if self.reported_at.utcoffset() is None:
                raise ValueError("reported_at needs a time zone")
            if self.reported_at > datetime.now(UTC) + MAX_CLOCK_SKEW:
                raise ValueError("reported_at is in the future")
        return self
