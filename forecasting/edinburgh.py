"""File adapter: Edinburgh 2016 Enevo collection log as typed collection events.

Each row is one emptying of one site: the sensor's fill just before (``fill_before_pct``) and
after it. On this sensor 100 % is its *full mark*, which is 80 % of the physical bin, so
``filling_level = fill_pct / 100 * 0.8`` (FIWARE fillingLevel, 0-1) and a reading of 100 or more
is right-censored: the bin was at least at the mark. Values above 100 are clipped to 100 and
flagged; negative, non-numeric or missing values make the row unusable and it is skipped with a
logged reason. Local times are Europe/London.
"""

from __future__ import annotations

import csv
import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

log = logging.getLogger(__name__)

EDINBURGH_TZ = ZoneInfo("Europe/London")
FULL_MARK = 0.8  # the sensor's 100 % is 80 % of the physical bin
_REQUIRED = ("site_id", "collected_at_local", "fill_before_pct", "fill_after_pct")


class EdinburghFormatError(ValueError):
    """The file is not the Edinburgh collection log (a required column is missing)."""


@dataclass(frozen=True, slots=True)
class CollectionEvent:
    """One emptying of one Edinburgh bin site."""

    site_id: str
    site_name: str
    address: str
    collected_at: datetime  # tz-aware, Europe/London
    fill_before_pct: float  # sensor scale, clipped to [0, 100]; 100 = full mark
    fill_after_pct: float
    volume_l: float | None
    weight_kg: float | None
    censored: bool  # fill_before at or above the full mark: the true fill may be higher

    @property
    def level_before(self) -> float:
        """Physical fillingLevel (0-1) just before the emptying."""
        return self.fill_before_pct / 100.0 * FULL_MARK

    @property
    def level_after(self) -> float:
        """Physical fillingLevel (0-1) just after the emptying."""
        return self.fill_after_pct / 100.0 * FULL_MARK


@dataclass(frozen=True, slots=True)
class LoadReport:
    """What was loaded and, per reason, how many rows were skipped."""

    events: tuple[CollectionEvent, ...]
    skipped: dict[str, int]


def _number(raw: str | None) -> float | None:
    try:
        value = float(raw) if raw not in (None, "") else None
    except ValueError:
        return None
    return value if value is None or value == value else None  # NaN -> None


def parse_rows(rows: Iterable[dict[str, str]]) -> LoadReport:
    """Collection events from CSV rows (dicts by column name), sorted by site then time."""
    events: list[CollectionEvent] = []
    skipped: Counter[str] = Counter()
    for row in rows:
        site = (row.get("site_id") or "").strip()
        before, after = _number(row.get("fill_before_pct")), _number(row.get("fill_after_pct"))
        if not site:
            skipped["missing_site_id"] += 1
            continue
        if before is None or before < 0:
            skipped["bad_fill_before"] += 1
            continue
        if after is None or after < 0:
            skipped["bad_fill_after"] += 1
            continue
        try:
            local = datetime.fromisoformat((row.get("collected_at_local") or "").strip())
        except ValueError:
            skipped["bad_timestamp"] += 1
            continue
        when = local if local.tzinfo else local.replace(tzinfo=EDINBURGH_TZ)
        events.append(
            CollectionEvent(
                site_id=site,
                site_name=(row.get("site_name") or "").strip(),
                address=(row.get("address") or "").strip(),
                collected_at=when,
                fill_before_pct=min(before, 100.0),
                fill_after_pct=min(after, 100.0, before),
                volume_l=_number(row.get("volume_l")),
                weight_kg=_number(row.get("weight_kg")),
                censored=before >= 100.0,
            )
        )
    for reason, n in skipped.items():
        log.warning("edinburgh: skipped %d rows: %s", n, reason)
    events.sort(key=lambda e: (e.site_id, e.collected_at))
    return LoadReport(tuple(events), dict(skipped))


def load_collections(path: Path) -> LoadReport:
    """Read the Edinburgh Enevo 2016 collection CSV."""
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = [c for c in _REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise EdinburghFormatError(f"{path}: missing columns {', '.join(missing)}")
        return parse_rows(reader)


def by_site(events: Sequence[CollectionEvent]) -> dict[str, list[CollectionEvent]]:
    """Events grouped per site, each list in time order."""
    out: dict[str, list[CollectionEvent]] = {}
    for e in sorted(events, key=lambda e: (e.site_id, e.collected_at)):
        out.setdefault(e.site_id, []).append(e)
    return out
