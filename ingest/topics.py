"""The three ingest topics: how each is decoded and where it is stored."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from core.db.ingest_tables import FILL, GPS, PARKING, TableSpec
from core.records import Record, decode_fill, decode_fix, decode_parking
from core.settings import Settings


@dataclass(frozen=True)
class TopicKind:
    """One kind of ingest stream."""

    name: str  # "fill" | "gps" | "parking"
    decode: Callable[[bytes], Record]
    spec: TableSpec
    max_age: timedelta

    def topic(self, settings: Settings) -> str:
        return {
            "fill": settings.topic_fill,
            "gps": settings.topic_gps,
            "parking": settings.topic_parking,
        }[self.name]

    def group(self) -> str:
        return f"cityops-ingest-{self.name}"


def kinds(settings: Settings) -> dict[str, TopicKind]:
    """Topic kinds keyed by name; GPS history older than retention is refused at the door."""
    return {
        "fill": TopicKind("fill", decode_fill, FILL, timedelta(days=400)),
        "gps": TopicKind("gps", decode_fix, GPS, timedelta(days=settings.gps_retention_days)),
        "parking": TopicKind("parking", decode_parking, PARKING, timedelta(days=400)),
    }
