"""The inventory import: read a file, validate all of it, then write it in one transaction with
its audit entry (adapter: PostgreSQL through :mod:`core.db`).

``city-admin import``, ``POST /api/admin/import`` and the demo's registration of its simulated
city all go through :func:`import_rows` (files through :func:`import_file`): the whole file is
checked by :func:`admin.validate.validate` against the city and the database first; with any
error nothing is written. Items are updated by id; ``retire_missing`` retires stored items the
file no longer lists (they drop out of planning and ingest, their history stays).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import asyncpg

from admin.files import read_rows
from admin.records import ImportBatch, ImportContext, InventoryKind, RawRow, RowError
from admin.validate import validate
from core.city import CityProfile
from core.db import onboarding
from core.db.audit import write_audit
from core.db.inventory import save_bins, save_parking_sites, save_sites, save_vehicles
from core.domain import Bin, ParkingSite, Site, Vehicle

ACTION = "inventory.import"
TABLE = {
    InventoryKind.BINS: "bins",
    InventoryKind.VEHICLES: "vehicles",
    InventoryKind.DEPOTS: "sites",
    InventoryKind.DISPOSAL_SITES: "sites",
    InventoryKind.PARKING_SITES: "parking_sites",
}


@dataclass(frozen=True)
class ImportReport:
    """What an import found and did (``dry_run``: would do); ``errors`` → nothing written."""

    kind: str
    source: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    restored: int = 0  # retired items brought back by the file
    retired: tuple[str, ...] = ()
    sensors_mounted: int = 0
    sensors_replaced: int = 0
    skipped: int = 0
    ignored_columns: tuple[str, ...] = ()
    errors: tuple[RowError, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, object]:
        out = asdict(self)
        out["errors"] = [e.as_dict() for e in self.errors]
        out["ok"] = self.ok
        return out

    def lines(self) -> list[str]:
        """A human summary (every error on its own line)."""
        if self.errors:
            head = f"{self.source}: {len(self.errors)} error(s); nothing was written"
            return [head, *(f"  {e}" for e in self.errors)]
        verb = "would import" if self.dry_run else "imported"
        out = [
            f"{self.source}: {verb} {self.rows} {self.kind}: {self.created} new,"
            f" {self.updated} updated ({self.restored} brought back from retirement),"
            f" {len(self.retired)} retired"
        ]
        if self.retired:
            out.append(
                f"  retired: {', '.join(self.retired[:20])}{' ...' * (len(self.retired) > 20)}"
            )
        if self.kind == InventoryKind.BINS.value and not self.dry_run:
            out.append(
                f"  sensors: {self.sensors_mounted} mounted, {self.sensors_replaced} replacing"
                " another sensor on the same bin"
            )
        if self.skipped:
            out.append(f"  {self.skipped} row(s) of the other kind of site left out")
        if self.ignored_columns:
            out.append(f"  ignored columns: {', '.join(self.ignored_columns)}")
        return out


async def load_context(
    conn: asyncpg.Connection, kind: InventoryKind, profile: CityProfile
) -> ImportContext:
    """What validation of a ``kind`` file needs from the city and the database."""
    existing = await onboarding.stored_ids(conn, TABLE[kind], kind.site_role)
    in_use = await onboarding.depot_vehicles(conn)
    return ImportContext(
        city=profile.name,
        bbox=profile.bbox,
        districts=profile.districts,
        co2_g_per_km=profile.co2_g_per_km,
        existing=existing,
        site_roles=await onboarding.site_roles(conn) if kind.site_role else {},
        depots=frozenset(in_use),
        depot_vehicles=in_use,
    )


async def _write(conn: asyncpg.Connection, batch: ImportBatch) -> tuple[list[str], int, int]:
    """Write a validated batch: upserts, retirements, sensor mounts (in the caller's
    transaction). Returns the ids retired and the sensors mounted and replacing another."""
    kind, items = batch.kind, batch.items
    if kind is InventoryKind.BINS:
        await save_bins(conn, [i for i in items if isinstance(i, Bin)])
    elif kind is InventoryKind.VEHICLES:
        await save_vehicles(conn, [i for i in items if isinstance(i, Vehicle)])
    elif kind is InventoryKind.PARKING_SITES:
        await save_parking_sites(conn, [i for i in items if isinstance(i, ParkingSite)])
    else:
        await save_sites(conn, [i for i in items if isinstance(i, Site)], kind.site_role)
    retired = await onboarding.retire(conn, TABLE[kind], batch.retire, kind.site_role)
    mounted = replaced = 0
    if kind is InventoryKind.BINS:
        changes = await onboarding.mount_sensors(conn, batch.sensors)
        mounted, replaced = changes.mounted, changes.replaced
    return retired, mounted, replaced


async def import_rows(
    conn: asyncpg.Connection,
    kind: InventoryKind,
    rows: Sequence[RawRow],
    columns: Sequence[str],
    profile: CityProfile,
    actor: str,
    *,
    source: str = "",
    dry_run: bool = False,
    retire_missing: bool = False,
) -> ImportReport:
    """Validate ``rows`` of ``kind`` whole and, if every row is good and not ``dry_run``, write
    them and an audit entry in one transaction (imports run one at a time)."""
    source = source or f"{kind.value} import"
    async with conn.transaction():
        await onboarding.lock_inventory(conn)
        ctx = await load_context(conn, kind, profile)
        checked = validate(kind, rows, columns, ctx, retire_missing)
        if checked.batch is None or checked.errors:
            return ImportReport(kind.value, source, dry_run, len(rows), errors=checked.errors)
        batch = checked.batch
        ids = batch.ids()
        known = [ctx.existing[i] for i in ids if i in ctx.existing]
        report = ImportReport(
            kind.value,
            source,
            dry_run,
            rows=len(ids),
            created=len(ids) - len(known),
            updated=len(known),
            restored=sum(known),
            retired=batch.retire,
            skipped=batch.skipped,
            ignored_columns=batch.ignored_columns,
        )
        if dry_run:
            return report
        retired, mounted, replaced = await _write(conn, batch)
        report = replace(
            report, retired=tuple(retired), sensors_mounted=mounted, sensors_replaced=replaced
        )
        details = report.as_dict()
        details.pop("errors")
        details["retired"] = list(report.retired[:100])
        await write_audit(conn, actor, ACTION, kind.value, details)
        return report


async def import_file(
    conn: asyncpg.Connection,
    path: Path,
    kind: InventoryKind,
    profile: CityProfile,
    actor: str,
    *,
    source: str = "",
    dry_run: bool = False,
    retire_missing: bool = False,
) -> ImportReport:
    """Read ``path`` (CSV, GeoJSON, GeoPackage, ...) and :func:`import_rows` it."""
    source = source or Path(path).name
    read = await asyncio.to_thread(read_rows, Path(path), kind)
    if read.errors:
        return ImportReport(kind.value, source, dry_run, errors=read.errors)
    return await import_rows(
        conn,
        kind,
        read.rows,
        read.columns,
        profile,
        actor,
        source=source,
        dry_run=dry_run,
        retire_missing=retire_missing,
    )
