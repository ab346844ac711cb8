"""File adapter: an inventory file as raw rows with their line or feature index.

CSV (``.csv``, ``.txt``): one item per line after a header, positions in ``lon``/``lat`` columns
(WGS84 degrees); ``,``, ``;`` or tab separated, UTF-8 (a BOM is fine) or Windows-1252; read with
pandas (every value as text, so each bad value is reported with its line, the header being line
1). Anything else (GeoJSON, GeoPackage, shapefile, ... in any CRS) is read with geopandas: each
feature's properties, and its Point geometry reprojected to WGS84 as ``lon``/``lat``. A
GeoPackage with several layers is read from the layer named like the kind (``bins``, ...), else
its first layer.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path

from admin.records import FILE, HEADER, InventoryKind, Location, RawRow, RowError

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
WGS84 = "EPSG:4326"


@dataclass(frozen=True)
class FileRows:
    """What a file holds: its columns (lower case), its rows, and why it could not be read."""

    columns: tuple[str, ...]
    rows: tuple[RawRow, ...]
    errors: tuple[RowError, ...] = ()


def _unreadable(path: Path, why: object) -> FileRows:
    return FileRows((), (), (RowError(FILE, f"{path.name} is not readable: {why}"),))


def read_rows(path: Path, kind: InventoryKind) -> FileRows:
    """The rows of an inventory file (``errors`` when the file itself cannot be read)."""
    path = Path(path)
    if not path.is_file():
        return FileRows((), (), (RowError(FILE, f"no file {path}"),))
    if path.suffix.lower() in CSV_SUFFIXES:
        return _read_csv(path)
    return _read_layer(path, kind)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _separator(header: str) -> str:
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    return max(counts, key=lambda s: counts[s]) if any(counts.values()) else ","


def _read_csv(path: Path) -> FileRows:
    import pandas as pd

    try:
        text = _decode(path.read_bytes())
    except OSError as e:
        return _unreadable(path, e)
    if not text.strip():
        return FileRows((), (), (RowError(HEADER, "the file is empty: expected a header line"),))
    header = text.splitlines()[0]
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=_separator(header),
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,  # blank lines keep their place: line numbers stay right
        )
    except Exception as e:  # pandas' ParserError, EmptyDataError, csv.Error, ...
        return _unreadable(path, str(e).strip())
    columns = [str(c).strip().lower() for c in frame.columns]
    if len(set(columns)) != len(columns):
        dup = sorted({c for c in columns if columns.count(c) > 1})
        return FileRows(tuple(columns), (), (RowError(HEADER, f"repeated columns {dup}"),))
    rows = []
    for k, record in enumerate(frame.itertuples(index=False, name=None)):
        values = {c: ("" if v is None else str(v)) for c, v in zip(columns, record, strict=True)}
        if any(v.strip() for v in values.values()):  # a blank line is no row
            rows.append(RawRow(Location(line=k + 2), values))
    return FileRows(tuple(columns), tuple(rows))


def _layer(path: Path, kind: InventoryKind) -> str | None:
    import pyogrio

    try:
        names = [str(n) for n, _ in pyogrio.list_layers(path)]
    except Exception:
        return None
    wanted = {kind.value, kind.value.replace("-", "_")}
    return next((n for n in names if n.lower() in wanted), None)


def _plain(value: object) -> object:
    """A property value as plain Python (numpy scalars unwrapped; NaN as missing)."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _read_layer(path: Path, kind: InventoryKind) -> FileRows:
    import geopandas as gpd

    try:
        frame = gpd.read_file(path, layer=_layer(path, kind))
    except Exception as e:  # pyogrio raises its own DataSourceError / DataLayerError
        return _unreadable(path, str(e).strip())
    has_geometry = "geometry" in frame.columns and frame.geometry.notna().any()
    if has_geometry and frame.crs is not None and not frame.crs.equals(WGS84):
        try:
            frame = frame.to_crs(WGS84)
        except Exception as e:
            return _unreadable(path, f"cannot reproject to WGS84 ({e})")
    props = [c for c in frame.columns if c != "geometry"]
    columns = [str(c).strip().lower() for c in props]
    rows = []
    for k in range(len(frame)):
        values: dict[str, object] = {
            c: _plain(frame[p].iat[k]) for c, p in zip(columns, props, strict=True)
        }
        geometry_error = ""
        geom = frame.geometry.iat[k] if has_geometry else None
        if geom is not None and not geom.is_empty:
            if geom.geom_type == "Point":
                values["lon"], values["lat"] = float(geom.x), float(geom.y)
            else:
                geometry_error = f"geometry is a {geom.geom_type}, expected a Point"
        rows.append(RawRow(Location(feature=k), values, geometry_error))
    if has_geometry:
        columns += [c for c in ("lon", "lat") if c not in columns]
    return FileRows(tuple(columns), tuple(rows))
