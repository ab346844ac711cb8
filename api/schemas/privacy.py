"""Privacy payloads: the access log for the data-protection officer, a data subject's export."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field


class AccessEntryPublic(BaseModel):
    """One read of drivers' personal data."""

    id: int
    at: datetime = Field(description="when it was read")
    actor: str = Field(examples=["planner"], description="who read it (user or service)")
    purpose: str = Field(examples=["replan"], description="why")
    resource: str = Field(
        examples=["vehicle_state"],
        description="what: gps_fixes (raw history), vehicle_state (live positions),"
        " plan_adherence (proof of service), subject_export (a data subject's export)",
    )
    scope: str = Field(examples=["vehicles truck-a, truck-b"], description="whose data, in words")
    detail: dict[str, Any] = Field(description="the read's parameters (vehicles, window, plan)")


class AccessLogPublic(BaseModel):
    """Access-log entries, oldest first."""

    entries: list[AccessEntryPublic]
    truncated: bool = Field(description="more entries match than the limit returned")


class PositionPublic(BaseModel):
    vehicle_id: str
    observed_at: datetime
    lon: float
    lat: float
    speed_kmh: float
    heading_deg: float


class StopReportPublic(BaseModel):
    plan_id: int
    plan_date: date
    vehicle_id: str
    seq: int
    bin_id: str | None
    street: str
    lon: float
    lat: float
    status: str = Field(description="emptied or skipped")
    reported_at: datetime | None
    fill_observed: float | None
    skip_reason: str | None


class ServiceVisitPublic(BaseModel):
    """A bin the truck was found serving in its GPS (proof of service)."""

    plan_id: int
    plan_date: date
    vehicle_id: str
    bin_id: str
    outcome: str
    lon: float
    lat: float
    served_at: datetime
    dwell_s: float | None
    distance_m: float | None


class PlanJobPublic(BaseModel):
    """A plan job the user asked for (as a planner): what and when, not its parameters."""

    job_id: str
    kind: str
    status: str
    created_at: datetime
    finished_at: datetime | None


class SubjectExportPublic(BaseModel):
    """The personal data held about one user (GDPR art. 15 and 20). Positions are those of the
    vehicles assigned to the user now, over the window asked (default: all that is kept)."""

    username: str
    role: str
    vehicle_ids: list[str]
    account_created_at: datetime
    disabled: bool
    since: datetime | None
    until: datetime | None
    exported_at: datetime
    retention_days: int = Field(description="positions older than this are deleted")
    positions: list[PositionPublic]
    current_positions: list[PositionPublic]
    stop_reports: list[StopReportPublic]
    proof_of_service: list[ServiceVisitPublic]
    plan_jobs: list[PlanJobPublic] = Field(description="plan jobs the user asked for")
