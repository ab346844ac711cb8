"""Tidy CSV text for the study's row dataclasses: written with a header, read back by type.

Pure text in, text out (the CLI does the file I/O). Floats are written to 6 decimals and NaN
as an empty cell; a row type's fields are its columns, and each field's annotation (``str``,
``int``, ``float``, ``bool``) says how a cell is read back.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import astuple, fields
from typing import Any, TypeVar

T = TypeVar("T")


def _cell(v: object) -> object:
    if isinstance(v, float):
        return "" if math.isnan(v) else repr(round(v, 6))
    if isinstance(v, bool):
        return int(v)
    return v


def csv_text(rows: Iterable[Any], columns: Sequence[str]) -> str:
    """CSV of dataclass ``rows`` with a header line; floats to 6 decimals, NaN as an empty cell."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([_cell(v) for v in astuple(r)])
    return buf.getvalue()


def _float(v: str) -> float:
    return float(v) if v != "" else math.nan


_READERS: dict[str, Callable[[str], object]] = {
    "str": str,
    "int": int,
    "float": _float,
    "bool": lambda v: bool(int(v)),
}


def columns_of(row_type: type) -> tuple[str, ...]:
    """The CSV columns of a row dataclass: its field names, in order."""
    return tuple(f.name for f in fields(row_type))


def _readers(row_type: type) -> list[Callable[[str], object]]:
    return [_READERS[str(f.type)] for f in fields(row_type)]


def parse_rows(text: str, row_type: type[T], name: str) -> list[T]:
    """The ``row_type`` rows of a CSV ``text`` whose header must be the type's fields; ``name``
    (the file's name) goes into the error message."""
    columns = columns_of(row_type)
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != columns:
        raise ValueError(f"{name} must have the columns {', '.join(columns)}.")
    read = _readers(row_type)
    return [row_type(*(r(rec[k]) for r, k in zip(read, columns, strict=True))) for rec in reader]
