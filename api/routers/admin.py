"""Admins and planners: import the city's inventory from an uploaded file (the same import as
``city-admin import``; validated whole, written in one transaction, audited)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, UploadFile, status
from fastapi.responses import JSONResponse

from admin.importer import import_file
from admin.records import InventoryKind
from api.deps import StateDep, require_role
from api.schemas.admin import ImportPublic
from core.users import Role, User

router = APIRouter(
    prefix="/api/admin",
    tags=["admin"],
    responses={
        401: {"description": "not authenticated"},
        403: {"description": "admins and planners only"},
    },
)

AdminDep = Annotated[User, Depends(require_role(Role.ADMIN, Role.PLANNER))]
UPLOAD_PATH = "/api/admin/import"  # its body limit is CITYOPS_MAX_UPLOAD_BYTES (api/body_limit.py)
_SUFFIXES = (".csv", ".txt", ".tsv", ".geojson", ".json", ".gpkg")


def _suffix(filename: str, head: bytes) -> str:
    """The file's format from its name, else from its first bytes (default CSV)."""
    suffix = Path(filename).suffix.lower()
    if suffix in _SUFFIXES:
        return suffix
    if head.startswith(b"SQLite format 3"):
        return ".gpkg"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return ".geojson"
    return ".csv"


@router.post(
    "/import",
    response_model=ImportPublic,
    responses={
        413: {"description": "the file is larger than CITYOPS_MAX_UPLOAD_BYTES (50 MiB)"},
        422: {"model": ImportPublic, "description": "refused: every bad row, nothing written"},
    },
)
async def import_inventory(
    request: Request,
    user: AdminDep,
    state: StateDep,
    file: UploadFile,
    kind: Annotated[InventoryKind, Query(description="what the file holds")],
    dry_run: Annotated[bool, Query(description="validate and report; write nothing")] = False,
    retire_missing: Annotated[
        bool, Query(description="retire stored items of this kind that the file does not list")
    ] = False,
) -> ImportPublic | JSONResponse:
    """Import one kind of inventory from a CSV (lon/lat columns), GeoJSON or GeoPackage file.
    The whole file is validated first; if any row is bad the answer is 422 with every error
    (line or feature, id, reason) and nothing is written."""
    limit = state.config.max_upload_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE, f"the file is larger than {limit} bytes"
        )
    name = Path(file.filename or "upload").name
    with tempfile.TemporaryDirectory(prefix="cityops-import-") as tmp:
        path = Path(tmp) / f"upload{_suffix(name, data[:64])}"
        path.write_bytes(data)
        async with state.pool.acquire() as conn:
            report = await import_file(
                conn,
                path,
                kind,
                request.app.state.city_profile,
                user.username,
                source=name,
                dry_run=dry_run,
                retire_missing=retire_missing,
            )
    body = ImportPublic.model_validate(report.as_dict())
    if not report.ok:
        return JSONResponse(body.model_dump(), status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)
    return body
