"""Pseudonyms are stable under one key, differ across keys; coarsening hides exact places."""

from __future__ import annotations

import pytest

from fleet.privacy import coarsen, pseudonym


def test_pseudonym_stable_and_keyed():
    """Same key + id → same token; another key → another token; no key → refused."""
    assert pseudonym("k1", "TRUCK-001") == pseudonym("k1", "TRUCK-001")
    assert pseudonym("k1", "TRUCK-001") != pseudonym("k2", "TRUCK-001")
    assert "TRUCK" not in pseudonym("k1", "TRUCK-001")
    with pytest.raises(ValueError):
        pseudonym("", "TRUCK-001")


def test_coarsen_maps_nearby_points_to_one_cell():
    """Two points 20 m apart in one cell report the same place, away from either point."""
    a = coarsen(12.56810, 55.67610)
    b = coarsen(12.56830, 55.67620)
    assert a == b
    assert a != (12.56810, 55.67610)
