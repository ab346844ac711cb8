"""CSV cells that spreadsheets will not run as formulas (pure; every CSV export uses it).

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (OWASP "CSV
injection"), after any leading spaces, gets a leading single quote. Numbers stay numbers: a
negative number is data, not a formula. Names reaching the exports (districts, parking sites,
streets from OpenStreetMap, drivers' skip reasons) are user-contributed."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value: object) -> object:
    """``value`` with a leading ``'`` if it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_START):
        return "'" + value
    return value


def safe_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """Every cell of a ``csv.DictWriter`` row made safe."""
    return {k: safe_cell(v) for k, v in row.items()}


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """``header`` and ``rows`` as CSV text, every cell made safe."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([safe_cell(h) for h in header])
    for row in rows:
        w.writerow([safe_cell(v) for v in row])
    return buf.getvalue()
