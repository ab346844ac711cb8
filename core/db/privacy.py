"""Privacy in operation (adapter: PostgreSQL): the data-protection officer's view of the access
log, and a data subject's export of the personal data held about them (PRIVACY.md).

:func:`subject_export` reads drivers' positions, so, like the other readers of positions
(``core.db.fleet``, ``core.db.vehicle_state``, ``core.db.adherence``), it requires an actor and a
purpose and writes one ``access_log`` row in the read's transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg

from core.db.access_log import log_access

SUBJECT_EXPORT = "subject_export"  # the access_log resource of an export


class SubjectNotFound(LookupError):
    """No user with that name."""


@dataclass(frozen=True, slots=True)
class AccessEntry:
    """One read of personal data: who, when, why, what -- and whose (``scope``)."""

    id: int
    at: datetime
    actor: str
    purpose: str
    resource: str
    detail: dict[str, Any]
    scope: str  # whose data the read covered, in words


def _scope(detail: dict[str, Any]) -> str:
    ids = detail.get("vehicle_ids")
    if isinstance(ids, list):
        return "vehicles " + ", ".join(map(str, ids)) if ids else "no vehicle"
    if "plan_id" in detail:
        return f"the trucks of plan {detail['plan_id']}"
    if "kind" in detail:
        return f"every vehicle of kind {detail['kind']}"
    if "vehicles" in detail:
        return f"{detail['vehicles']} vehicles (not listed)"
    return "every vehicle"


# Does an access_log row (alias a) cover vehicle $3? Rows naming their vehicles answer exactly;
# a proof-of-service read covers its plan's trucks, a read by kind the vehicles of that kind, and
# a read that named no vehicle (old rows counted them only) is reported for every vehicle.
_COVERS = (
    "CASE WHEN jsonb_typeof(a.detail->'vehicle_ids') = 'array' THEN a.detail->'vehicle_ids' ? $3"
    " WHEN jsonb_typeof(a.detail->'plan_id') = 'number' THEN EXISTS (SELECT 1 FROM plan_routes r"
    " WHERE r.plan_id = (a.detail->>'plan_id')::bigint AND r.vehicle_id = $3)"
    " WHEN a.detail ? 'kind' THEN EXISTS (SELECT 1 FROM vehicles v"
    " WHERE v.vehicle_id = $3 AND v.kind = a.detail->>'kind')"
    " ELSE true END"
)


async def access_log_entries(
    conn: asyncpg.Connection | asyncpg.Pool,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    vehicle_id: str | None = None,
    limit: int = 1000,
) -> list[AccessEntry]:
    """Access-log rows in ``[since, until)`` (oldest first), only those whose read covered
    ``vehicle_id`` when given; at most ``limit``."""
    if limit < 1:
        raise ValueError("limit must be positive.")
    rows = await conn.fetch(
        "SELECT a.id, a.at, a.actor, a.purpose, a.resource, a.detail FROM access_log a"
        " WHERE ($1::timestamptz IS NULL OR a.at >= $1)"
        " AND ($2::timestamptz IS NULL OR a.at < $2)"
        f" AND ($3::text IS NULL OR ({_COVERS}))"
        " ORDER BY a.at, a.id LIMIT $4",
        since,
        until,
        vehicle_id,
        limit,
    )
    out = []
    for r in rows:
        detail = json.loads(r["detail"])
        detail = detail if isinstance(detail, dict) else {"value": detail}
        out.append(
            AccessEntry(
                r["id"], r["at"], r["actor"], r["purpose"], r["resource"], detail, _scope(detail)
            )
        )
    return out


@dataclass(frozen=True)
class SubjectExport:
    """The personal data held about one user, for their access request (GDPR art. 15/20)."""

    username: str
    role: str
    vehicle_ids: tuple[str, ...]
    account_created_at: datetime
    disabled: bool
    since: datetime | None
    until: datetime | None
    exported_at: datetime
    positions: list[dict[str, Any]] = field(default_factory=list)  # raw GPS history
    current_positions: list[dict[str, Any]] = field(default_factory=list)  # vehicle_state
    stop_reports: list[dict[str, Any]] = field(default_factory=list)
    proof_of_service: list[dict[str, Any]] = field(default_factory=list)  # per-bin, from GPS
    plan_jobs: list[dict[str, Any]] = field(default_factory=list)  # plans the user asked for


def _window(column: str, a: int, b: int) -> str:
    return f"(${a}::timestamptz IS NULL OR {column} >= ${a})" + (
        f" AND (${b}::timestamptz IS NULL OR {column} < ${b})"
    )


def _plain(r: asyncpg.Record) -> dict[str, Any]:
    return {k: (float(v) if k in ("speed_kmh", "heading_deg") else v) for k, v in r.items()}


async def subject_export(
    conn: asyncpg.Connection,
    subject: str,
    actor: str,
    purpose: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    export_format: str = "json",
) -> SubjectExport:
    """What is held about user ``subject``: the account, and for the vehicles assigned to them
    (``users.vehicle_ids``; assignments have no history, see PRIVACY.md) the raw GPS fixes and
    proof-of-service service times in ``[since, until)``, the current positions and the stop
    reports, and the plan jobs the user asked for (``plan_jobs.owner``; created in the window;
    kind, status and times, not their parameters or results). The read is logged first
    (``access_log``: actor, purpose, resource ``subject_export``); :class:`SubjectNotFound`
    (nothing logged) for an unknown user, ValueError for an empty actor or purpose."""
    async with conn.transaction(isolation="repeatable_read"):
        user = await conn.fetchrow(
            "SELECT username, role, vehicle_ids, disabled, created_at FROM users"
            " WHERE username = $1",
            subject,
        )
        if user is None:
            raise SubjectNotFound(f"no user {subject!r}.")
        vids = sorted(user["vehicle_ids"])
        await log_access(
            conn,
            actor,
            purpose,
            SUBJECT_EXPORT,
            {
                "subject": subject,
                "vehicle_ids": vids,
                "since": since.isoformat() if since else None,
                "until": until.isoformat() if until else None,
                "format": export_format,
            },
        )
        now: datetime = await conn.fetchval("SELECT now()")
        positions = await conn.fetch(
            "SELECT vehicle_id, observed_at, lon, lat, speed_kmh, heading_deg FROM gps_fixes"
            f" WHERE vehicle_id = ANY($1::text[]) AND {_window('observed_at', 2, 3)}"
            " ORDER BY vehicle_id, observed_at",
            vids,
            since,
            until,
        )
        current = await conn.fetch(
            "SELECT vehicle_id, observed_at, lon, lat, speed_kmh, heading_deg FROM vehicle_state"
            " WHERE vehicle_id = ANY($1::text[]) ORDER BY vehicle_id",
            vids,
        )
        reports = await conn.fetch(
            "SELECT s.plan_id, p.plan_date, s.vehicle_id, s.seq, s.bin_id, s.street, s.lon, s.lat,"
            " s.status, s.reported_at, s.fill_observed, s.skip_reason"
            " FROM plan_stops s JOIN plans p USING (plan_id)"
            " WHERE s.vehicle_id = ANY($1::text[]) AND s.status <> 'planned'"
            f" AND {_window('s.reported_at', 2, 3)} ORDER BY s.reported_at, s.plan_id, s.seq",
            vids,
            since,
            until,
        )
        served = await conn.fetch(
            "SELECT v.plan_id, p.plan_date, v.vehicle_id, v.bin_id, v.outcome, v.lon, v.lat,"
            " v.served_at, v.dwell_s, v.distance_m FROM adherence_visits v"
            " JOIN plans p USING (plan_id) WHERE v.vehicle_id = ANY($1::text[])"
            f" AND v.served_at IS NOT NULL AND {_window('v.served_at', 2, 3)}"
            " ORDER BY v.served_at, v.plan_id",
            vids,
            since,
            until,
        )
        jobs = await conn.fetch(
            "SELECT job_id, kind, status, created_at, finished_at FROM plan_jobs"
            f" WHERE owner = $1 AND {_window('created_at', 2, 3)} ORDER BY created_at, job_id",
            subject,
            since,
            until,
        )
    return SubjectExport(
        user["username"],
        user["role"],
        tuple(vids),
        user["created_at"],
        user["disabled"],
        since,
        until,
        now,
        [_plain(r) for r in positions],
        [_plain(r) for r in current],
        [dict(r) for r in reports],
        [dict(r) for r in served],
        [dict(r) for r in jobs],
    )
