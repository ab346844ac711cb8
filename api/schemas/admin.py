"""Inventory import payloads (``POST /api/admin/import``)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ImportErrorPublic(BaseModel):
    """One reason a file was refused: where (CSV line, the header being line 1, or feature
    index, 0-based; both null for the file as a whole), which item, and why."""

    line: int | None = Field(None, examples=[7])
    feature: int | None = None
    id: str = Field("", examples=["CPH-BIN-0042"])
    reason: str = Field(examples=["capacity_l must be positive (got -110)"])


class ImportPublic(BaseModel):
    """What an import did (``dry_run``: would do). With ``errors`` nothing was written."""

    ok: bool
    kind: str = Field(examples=["bins"])
    source: str = Field(examples=["bins.csv"])
    dry_run: bool
    rows: int = Field(description="items in the file")
    created: int
    updated: int
    restored: int = Field(description="retired items the file brought back")
    retired: list[str] = Field(description="stored items missing from the file, retired")
    sensors_mounted: int
    sensors_replaced: int
    skipped: int = Field(description="rows of the other kind of site, left out")
    ignored_columns: list[str]
    errors: list[ImportErrorPublic]
