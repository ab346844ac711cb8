"""A small offline index of the city's street and place names from its OpenStreetMap ways, for
the citizens' "find a street" search (pure).

Names are matched case- and accent-insensitively by prefix, of the whole name or of any of its
words. Danish letters match both their usual spellings without a Danish keyboard: ``ø`` as ``o``
or ``oe``, ``æ`` as ``ae`` or ``a``, ``å`` as ``a`` or ``aa`` (``Norrebro``, ``Noerrebro`` and
``Nørrebro`` all find Nørrebrogade)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from routing.network.ways import OsmData

# two spellings of the Danish letters without them: short (ø → o) and long (ø → oe)
_SHORT = str.maketrans({"æ": "a", "ø": "o", "å": "a", "ß": "ss"})
_LONG = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ß": "ss"})


def _strip(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> tuple[str, str]:
    """``text`` lower-cased, accents removed, spaces collapsed, in the short and the long
    spelling of the Danish letters (``Nørre Allé`` → ``norre alle``, ``noerre alle``)."""
    base = " ".join(text.casefold().replace("-", " ").split())
    return _strip(base.translate(_SHORT)), _strip(base.translate(_LONG))


@dataclass(frozen=True, slots=True)
class Place:
    """A named street or place with one representative point (lon, lat) on it."""

    name: str
    lon: float
    lat: float


@dataclass(frozen=True)
class PlaceIndex:
    """Names with their points and folded spellings, sorted by name."""

    places: tuple[Place, ...]
    keys: tuple[tuple[str, str], ...]

    def __len__(self) -> int:
        return len(self.places)

    def search(self, query: str, limit: int = 10) -> list[Place]:
        """Places whose name (or one of its words) starts with ``query``: exact names first,
        then names that start with it, then names with a word that does; by name within each."""
        q = fold(query)
        if not any(q):
            return []
        ranked: list[tuple[int, int]] = []
        for i, key in enumerate(self.keys):
            rank = _rank(q, key)
            if rank is not None:
                ranked.append((rank, i))
        ranked.sort()
        return [self.places[i] for _, i in ranked[: max(0, limit)]]

    def resolve(self, query: str) -> Place | None:
        """The best match of ``query``, or None."""
        found = self.search(query, 1)
        return found[0] if found else None


def _rank(q: tuple[str, str], key: tuple[str, str]) -> int | None:
    best: int | None = None
    for qs, ks in zip(q, key, strict=True):
        if not qs:
            continue
        if ks == qs:
            rank = 0
        elif ks.startswith(qs):
            rank = 1
        elif f" {qs}" in ks:
            rank = 2
        else:
            continue
        best = rank if best is None else min(best, rank)
    return best


def build_index(parts: Sequence[OsmData]) -> PlaceIndex:
    """One place per distinct way name: the node of its ways nearest their mean point."""
    points: dict[str, list[np.ndarray]] = {}
    for part in parts:
        order = np.argsort(part.node_ids)
        ids_sorted = part.node_ids[order]
        if len(ids_sorted) == 0:
            continue
        for way in part.ways:
            name = " ".join(way.name.split())
            if not name or not way.node_ids:
                continue
            ids = np.asarray(way.node_ids)
            pos = np.clip(np.searchsorted(ids_sorted, ids), 0, len(ids_sorted) - 1)
            known = ids_sorted[pos] == ids
            if not known.any():
                continue
            rows = order[pos[known]]
            points.setdefault(name, []).append(np.stack([part.lon[rows], part.lat[rows]], axis=1))
    places = []
    for name in sorted(points, key=lambda n: (fold(n)[0], n)):
        xy = np.concatenate(points[name])
        mean = xy.mean(axis=0)
        lon, lat = xy[int(np.argmin(((xy - mean) ** 2).sum(axis=1)))]
        places.append(Place(name, round(float(lon), 6), round(float(lat), 6)))
    return PlaceIndex(tuple(places), tuple(fold(p.name) for p in places))
