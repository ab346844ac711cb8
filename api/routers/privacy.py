"""Privacy in operation: the data-protection officer reads the access log (who read whose
positions, when and why); a user -- or the DPO on their behalf -- exports the personal data held
about them as JSON or CSV. Every export is itself logged in ``access_log``; every read of the
access log is recorded in the audit log. PRIVACY.md describes the data and the process."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, status
from fastapi.responses import Response

from api.csv_safe import safe_row
from api.deps import PoolDep, StateDep, UserDep, require_role
from api.schemas.privacy import AccessEntryPublic, AccessLogPublic, SubjectExportPublic
from core.db.audit import write_audit
from core.db.privacy import SubjectExport, access_log_entries, subject_export
from core.users import Role, User

router = APIRouter(
    tags=["privacy"],
    responses={
        401: {"description": "not authenticated"},
        403: {"description": "not the data-protection officer, nor the data subject"},
    },
)

DpoDep = Annotated[User, Depends(require_role(Role.DPO))]
SinceQ = Annotated[datetime | None, Query(description="from this time on (ISO 8601; no zone: UTC)")]
UntilQ = Annotated[datetime | None, Query(description="before this time (ISO 8601; no zone: UTC)")]
USERNAME = r"^[a-z0-9][a-z0-9_.-]{2,63}$"
OWN_DATA = "data subject access request (own data)"
ON_BEHALF = "data subject request answered by the data-protection officer"


class ExportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"


FormatQ = Annotated[ExportFormat, Query(alias="format", description="json or csv")]


def _utc(t: datetime | None, name: str) -> datetime | None:
    if t is None:
        return None
    try:
        return (t if t.tzinfo else t.replace(tzinfo=UTC)).astimezone(UTC)
    except (OverflowError, ValueError) as e:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, f"{name}: out of range ({e})"
        ) from e


def _window(
    since: datetime | None, until: datetime | None
) -> tuple[datetime | None, datetime | None]:
    a, b = _utc(since, "since"), _utc(until, "until")
    if a is not None and b is not None and a >= b:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "since must be before until")
    return a, b


@router.get("/dpo/access-log", response_model=AccessLogPublic)
async def access_log(
    user: DpoDep,
    pool: PoolDep,
    since: SinceQ = None,
    until: UntilQ = None,
    vehicle_id: Annotated[
        str | None,
        Query(max_length=128, description="only reads that covered this vehicle's positions"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> AccessLogPublic:
    """Who read whose positions, when and why (data-protection officer only). Reads that named
    no vehicle (every vehicle, or every vehicle of a kind) are listed for each vehicle they
    covered. This read is recorded in the audit log."""
    a, b = _window(since, until)
    async with pool.acquire() as conn, conn.transaction():
        rows = await access_log_entries(
            conn, since=a, until=b, vehicle_id=vehicle_id, limit=limit + 1
        )
        await write_audit(
            conn,
            user.username,
            "access_log.read",
            vehicle_id or "",
            {"since": a, "until": b, "returned": min(len(rows), limit)},
        )
    return AccessLogPublic(
        entries=[
            AccessEntryPublic(
                id=e.id,
                at=e.at,
                actor=e.actor,
                purpose=e.purpose,
                resource=e.resource,
                scope=e.scope,
                detail=e.detail,
            )
            for e in rows[:limit]
        ],
        truncated=len(rows) > limit,
    )


_CSV_COLUMNS = (
    "record",
    "vehicle_id",
    "at",
    "lon",
    "lat",
    "speed_kmh",
    "heading_deg",
    "plan_id",
    "plan_date",
    "seq",
    "bin_id",
    "street",
    "status",
    "fill_observed",
    "skip_reason",
    "outcome",
    "dwell_s",
    "distance_m",
    "job_id",
    "kind",
)


def export_csv(x: SubjectExport) -> str:
    """One CSV of every record of the export, the kind in the ``record`` column (account first;
    times ISO 8601 UTC)."""
    out = io.StringIO()
    w = csv.DictWriter(out, _CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    w.writerow(
        safe_row({"record": f"account {x.username} ({x.role}); vehicles {' '.join(x.vehicle_ids)}"})
    )

    def rows(kind: str, items: list[dict[str, Any]], at: str) -> None:
        for r in items:
            w.writerow(safe_row({**r, "record": kind, "at": r.get(at)}))

    rows("position", x.positions, "observed_at")
    rows("current_position", x.current_positions, "observed_at")
    rows("stop_report", x.stop_reports, "reported_at")
    rows("proof_of_service", x.proof_of_service, "served_at")
    rows("plan_job", x.plan_jobs, "created_at")
    return out.getvalue()


async def _export(
    state: StateDep,
    pool: PoolDep,
    subject: str,
    actor: User,
    since: datetime | None,
    until: datetime | None,
    fmt: ExportFormat,
) -> Response | SubjectExportPublic:
    a, b = _window(since, until)
    purpose = OWN_DATA if actor.username == subject else ON_BEHALF
    async with pool.acquire() as conn:
        x = await subject_export(
            conn, subject, actor.username, purpose, since=a, until=b, export_format=fmt.value
        )
    if fmt is ExportFormat.CSV:
        name = f"{subject}-personal-data-{x.exported_at:%Y%m%d}.csv"
        return Response(
            export_csv(x),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return SubjectExportPublic(
        username=x.username,
        role=x.role,
        vehicle_ids=list(x.vehicle_ids),
        account_created_at=x.account_created_at,
        disabled=x.disabled,
        since=x.since,
        until=x.until,
        exported_at=x.exported_at,
        retention_days=state.config.retention_days,
        positions=x.positions,
        current_positions=x.current_positions,
        stop_reports=x.stop_reports,
        proof_of_service=x.proof_of_service,
        plan_jobs=x.plan_jobs,
    )


_EXPORT_DOC: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the export as JSON, or as CSV with format=csv",
        "content": {"text/csv": {}},
    },
    404: {"description": "no such user"},
}


@router.get(
    "/privacy/export",
    response_model=SubjectExportPublic,
    responses=_EXPORT_DOC,
)
async def my_data(
    user: UserDep,
    state: StateDep,
    pool: PoolDep,
    since: SinceQ = None,
    until: UntilQ = None,
    fmt: FormatQ = ExportFormat.JSON,
) -> Response | SubjectExportPublic:
    """My personal data: account, my vehicles' positions (raw history and current), my stop
    reports and the service times derived from the GPS. The export is logged."""
    return await _export(state, pool, user.username, user, since, until, fmt)


@router.get(
    "/privacy/subjects/{username}/export",
    response_model=SubjectExportPublic,
    responses=_EXPORT_DOC,
)
async def subject_data(
    username: Annotated[str, Path(pattern=USERNAME)],
    user: UserDep,
    state: StateDep,
    pool: PoolDep,
    since: SinceQ = None,
    until: UntilQ = None,
    fmt: FormatQ = ExportFormat.JSON,
) -> Response | SubjectExportPublic:
    """A data subject's export, for the data-protection officer answering their request (or the
    subject themself). The export is logged with the DPO as the actor."""
    if user.role != Role.DPO and user.username != username:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            "only the data-protection officer exports another user's data",
        )
    return await _export(state, pool, username, user, since, until, fmt)
