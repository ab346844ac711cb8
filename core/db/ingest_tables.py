"""Idempotent batch writes of ingested records into raw history + current-state tables.

A batch is COPYed into a temporary staging table and inserted with ``ON CONFLICT DO NOTHING`` on
the natural key; the latest value per entity is upserted into the state table in the same
statement. Every message's Kafka (partition, offset) is kept in its row, so a redelivered
message (same offset, already stored) is told apart from a genuine duplicate (same natural key,
another offset), which the caller dead-letters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date

import asyncpg

from core.records import FillReading, GpsFix, ParkingObservation, Record


@dataclass(frozen=True)
class TableSpec:
    """How one topic's records map to its history and state tables."""

    table: str
    columns: tuple[str, ...]  # history columns, src_partition/src_offset last
    key: tuple[str, ...]
    state_table: str
    state_id: str  # state table's id column (history's first key column)
    state_columns: tuple[str, ...]  # history columns copied into state (after the id)
    partitioned_by_day: bool = False
    # history column that names the state row (default: the first key column); fill readings
    # are keyed by sensor, their state by the bin the sensor is mounted on (``derived``)
    state_source: str = ""
    # history columns computed in SQL from the staged row ``s`` and ``joins`` (not staged)
    derived: tuple[tuple[str, str], ...] = ()
    joins: str = ""

    def row(self, record: Record, partition: int, offset: int) -> tuple[object, ...]:
        raise NotImplementedError


@dataclass(frozen=True)
class _Fill(TableSpec):
    def row(self, r: Record, partition: int, offset: int) -> tuple[object, ...]:
        assert isinstance(r, FillReading)
        return (
            r.sensor_id,
            r.observed_at,
            r.filling_level,
            r.temperature,
            r.battery,
            partition,
            offset,
        )


@dataclass(frozen=True)
class _Gps(TableSpec):
    def row(self, r: Record, partition: int, offset: int) -> tuple[object, ...]:
        assert isinstance(r, GpsFix)
        return (
            r.vehicle_id,
            r.observed_at,
            r.lon,
            r.lat,
            r.speed_kmh,
            r.heading_deg,
            partition,
            offset,
        )


@dataclass(frozen=True)
class _Parking(TableSpec):
    def row(self, r: Record, partition: int, offset: int) -> tuple[object, ...]:
        assert isinstance(r, ParkingObservation)
        return (r.site_id, r.observed_at, r.free, r.capacity, partition, offset)


# The bin a fill reading belongs to: the bin its sensor was mounted on when it was observed, the
# bin of its first mount for a reading from before it, else the sensor id (a bin never mapped).
# The same rule as migration 0008's trigger, which covers every other writer; set-based here.
_SENSOR_BIN = (
    " LEFT JOIN LATERAL (SELECT m.bin_id FROM sensors m WHERE m.sensor_id = s.sensor_id"
    " AND (m.removed_at IS NULL OR s.observed_at < m.removed_at)"
    " ORDER BY (m.mounted_at <= s.observed_at) DESC,"
    " CASE WHEN m.mounted_at <= s.observed_at THEN m.mounted_at END DESC, m.mounted_at"
    " LIMIT 1) m ON true"
)
FILL = _Fill(
    "fill_readings",
    (
        "sensor_id",
        "observed_at",
        "filling_level",
        "temperature",
        "battery_level",  # migration 0010; NULL when the sensor does not report it
        "src_partition",
        "src_offset",
    ),
    ("sensor_id", "observed_at"),
    "bin_state",
    "bin_id",
    ("observed_at", "filling_level", "temperature", "battery_level"),
    state_source="bin_id",
    derived=(("bin_id", "coalesce(m.bin_id, s.sensor_id)"),),
    joins=_SENSOR_BIN,
)
GPS = _Gps(
    "gps_fixes",
    (
        "vehicle_id",
        "observed_at",
        "lon",
        "lat",
        "speed_kmh",
        "heading_deg",
        "src_partition",
        "src_offset",
    ),
    ("vehicle_id", "observed_at"),
    "vehicle_state",
    "vehicle_id",
    ("observed_at", "lon", "lat", "speed_kmh", "heading_deg"),
    partitioned_by_day=True,
)
PARKING = _Parking(
    "parking_observations",
    ("site_id", "observed_at", "free", "capacity", "src_partition", "src_offset"),
    ("site_id", "observed_at"),
    "parking_state",
    "site_id",
    ("observed_at", "free", "capacity"),
)


@dataclass
class WriteResult:
    """Batch positions stored now or by an earlier delivery, and genuine duplicates."""

    stored: list[int] = field(default_factory=list)
    duplicates: list[int] = field(default_factory=list)


def partition_name(table: str, day: date) -> str:
    return f"{table}_{day:%Y%m%d}"


async def ensure_day_partitions(
    conn: asyncpg.Connection, table: str, days: Sequence[date], known: set[date]
) -> None:
    """Create the daily partitions of ``table`` that ``days`` need and ``known`` lacks."""
    for day in sorted(set(days) - known):
        try:  # migration 0011's function: ingest's database role owns no table
            await conn.execute("SELECT cityops_create_day_partition($1, $2)", table, day)
        except asyncpg.DuplicateTableError:  # created concurrently by another consumer
            pass
        known.add(day)


class BatchWriter:
    """Writes batches of one topic's rows; one per consumer, holding a connection."""

    def __init__(self, conn: asyncpg.Connection, spec: TableSpec) -> None:
        self.conn = conn
        self.spec = spec
        self._stage = f"stage_{spec.table}"
        self._days: set[date] = set()
        self._ready = False
        key = ", ".join(spec.key)
        state_cols = ", ".join(spec.state_columns)
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in spec.state_columns)
        source = spec.state_source or spec.key[0]
        into = ", ".join([*spec.columns, *(c for c, _ in spec.derived)])
        select = ", ".join([*(f"s.{c}" for c in spec.columns), *(e for _, e in spec.derived)])
        self._insert = (
            f"WITH ins AS ("
            f" INSERT INTO {spec.table} ({into}) SELECT {select} FROM {self._stage} s{spec.joins}"
            f" ORDER BY s.seq"
            f" ON CONFLICT ({key}) DO NOTHING RETURNING *),"
            f" st AS ("
            f" INSERT INTO {spec.state_table} ({spec.state_id}, {state_cols})"
            f" SELECT DISTINCT ON ({source}) {source}, {state_cols} FROM ins"
            f" ORDER BY {source}, observed_at DESC"
            f" ON CONFLICT ({spec.state_id}) DO UPDATE SET {updates}"
            f" WHERE {spec.state_table}.observed_at < EXCLUDED.observed_at)"
            f" SELECT src_partition, src_offset FROM ins"
        )
        join = " AND ".join(f"t.{k} = s.{k}" for k in spec.key)
        self._owners = (
            f"SELECT s.seq, (t.src_partition = s.src_partition AND t.src_offset = s.src_offset)"
            f" AS mine FROM {self._stage} s JOIN {spec.table} t ON {join}"
        )

    async def _prepare(self) -> None:
        await self.conn.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {self._stage} "
            f"(seq integer, LIKE {self.spec.table}) ON COMMIT DELETE ROWS"
        )
        self._ready = True

    async def write(self, rows: Sequence[tuple[object, ...]]) -> WriteResult:
        """Store ``rows`` (from :meth:`TableSpec.row`) in one transaction."""
        result = WriteResult()
        if not rows:
            return result
        if not self._ready:
            await self._prepare()
        if self.spec.partitioned_by_day:
            await ensure_day_partitions(self.conn, self.spec.table, _utc_days(rows), self._days)
        async with self.conn.transaction():
            await self.conn.copy_records_to_table(
                self._stage,
                records=[(i, *r) for i, r in enumerate(rows)],
                columns=("seq", *self.spec.columns),
            )
            inserted = await self.conn.fetch(self._insert)
            if len(inserted) == len(rows):
                result.stored = list(range(len(rows)))
                return result
            for rec in await self.conn.fetch(self._owners):
                (result.stored if rec["mine"] else result.duplicates).append(rec["seq"])
        result.stored.sort()
        result.duplicates.sort()
        return result


def _utc_days(rows: Sequence[tuple[object, ...]]) -> list[date]:
    return list({r[1].astimezone(UTC).date() for r in rows})  # type: ignore[attr-defined]
