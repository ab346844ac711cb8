"""Planner payloads: plan requests, jobs, plans with KPIs, overrides."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.routes import ProgressPublic, RoutePublic


class Engine(StrEnum):
    PORTFOLIO = "portfolio"
    ORTOOLS = "ortools"
    PYVRP = "pyvrp"


class PlanCreate(BaseModel):
    """Generate (or re-generate mid-day) the plan for a date."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "plan_date": "2024-03-18",
                    "time_limit_s": 30,
                    "engine": "portfolio",
                    "replan": False,
                }
            ]
        },
    )

    plan_date: date
    time_limit_s: float = Field(30.0, ge=1, le=600)
    engine: Engine = Engine.PORTFOLIO
    replan: bool = Field(
        False,
        description="re-plan the rest of the day from the trucks' latest "
        "GPS positions, leaving out bins already emptied or "
        "skipped (plans from scratch if the date has no "
        "accepted plan yet)",
    )
    now: datetime | None = Field(
        None,
        description="re-planning time (default: now; without an offset: the city's local time)",
    )


class JobPublic(BaseModel):
    """A background job; poll until ``status`` is done or failed."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "job_id": "3f2a9c1b7d4e",
                    "kind": "plan",
                    "status": "running",
                    "progress": 0.45,
                    "message": "solving (portfolio, 30 s)",
                    "result": None,
                    "error": None,
                }
            ]
        }
    )

    job_id: str
    kind: str
    status: str
    progress: float
    message: str
    result: dict[str, Any] | None = None
    error: str | None = None
    created_at: datetime
    finished_at: datetime | None = None


class PlanSummaryPublic(BaseModel):
    """A plan's totals, KPIs and progress."""

    plan_id: int
    plan_date: date
    engine: str
    status: str
    created_at: datetime | None
    totals: dict[str, Any]
    kpis: dict[str, float]
    progress: ProgressPublic
    violations: list[str] = Field(default_factory=list)


class PlanPublic(PlanSummaryPublic):
    """A plan with every vehicle's route."""

    routes: list[RoutePublic]


class OverrideMode(StrEnum):
    INCLUDE = "include"
    EXCLUDE = "exclude"


class OverrideCreate(BaseModel):
    """Force a bin into or out of the plan for a date."""

    model_config = ConfigDict(extra="forbid")

    mode: OverrideMode


class OverridePublic(BaseModel):
    plan_date: date
    bin_id: str
    mode: OverrideMode
    set_by: str
