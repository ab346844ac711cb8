"""Reading one raw row's fields with a reason for every bad value (pure).

Values come as CSV text or JSON types; numbers may use a decimal comma (``12,5``: spreadsheets
with ``;`` separators). Each problem is recorded, not raised, so one row can report several.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from admin.records import RawRow, RowError


def text(value: object) -> str:
    """A value as stripped text; missing (None, NaN) is ''; 12.0 read from JSON is '12'."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    return str(value).strip()


def _number(value: object) -> float:
    if isinstance(value, bool):
        raise ValueError("not a number")
    if isinstance(value, int | float):
        return float(value)
    s = text(value)
    try:
        return float(s)
    except ValueError:
        if s.count(",") == 1 and "." not in s:
            return float(s.replace(",", "."))
        raise


class Fields:
    """The fields of one row of item ``item_id`` (set once the id is read); problems go to
    ``errors``."""

    def __init__(self, raw: RawRow) -> None:
        self.raw = raw
        self.item_id = ""
        self.errors: list[RowError] = []

    def error(self, reason: str) -> None:
        self.errors.append(RowError(self.raw.where, reason, self.item_id))

    def text(self, column: str) -> str:
        s = text(self.raw.values.get(column))
        if "\x00" in s:  # PostgreSQL text cannot hold it
            self.error(f"{column} contains a NUL character")
            return s.replace("\x00", "")
        return s

    def number(
        self,
        column: str,
        default: float | None = None,
        check: Callable[[float], bool] = lambda _: True,
        rule: str = "",
    ) -> float | None:
        """The column as a finite number; ``default`` when empty (an error without one);
        an error saying ``rule`` when ``check`` fails. None after an error."""
        s = self.text(column)
        if not s:
            if default is None:
                self.error(f"{column} is missing")
            return default
        try:
            x = _number(self.raw.values.get(column))
        except ValueError:
            self.error(f"{column} is not a number ({s!r})")
            return None
        if not math.isfinite(x):
            self.error(f"{column} is not a finite number ({s!r})")
            return None
        if not check(x):
            self.error(f"{column} {rule} (got {s})")
            return None
        return x
