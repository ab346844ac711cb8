"""Pseudonyms and coarsening for personal data (GPS of employees). Pure."""

from __future__ import annotations

import hashlib
import hmac


def pseudonym(key: str, vehicle_id: str) -> str:
    """A stable, keyed pseudonym: the same vehicle maps to the same token under one key, and
    without the key the mapping cannot be reversed or recomputed."""
    if not key:
        raise ValueError("a pseudonymisation key is required.")
    digest = hmac.new(key.encode(), vehicle_id.encode(), hashlib.sha256).hexdigest()
    return "v-" + digest[:12]


def coarsen(lon: float, lat: float, cell_deg: float = 0.002) -> tuple[float, float]:
    """Snap a position to the centre of a grid cell (0.002° ≈ 130 × 220 m in Copenhagen), so
    reported stop places do not pin down a person's exact whereabouts."""
    if cell_deg <= 0:
        raise ValueError("cell_deg must be positive.")
    return ((lon // cell_deg + 0.5) * cell_deg, (lat // cell_deg + 0.5) * cell_deg)
