"""Inventory files: depots and disposal sites from GeoJSON, and the demo's placement file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from core.inventory_files import InventoryFileError, read_sites
from simulations.demo_files import DEMO_ROOT, demo_dir, load_demo
from tests.cities import PRAIRIEVILLE_DIR


def _feature(site_id: str, kind: str, geometry: dict | None = None) -> dict:
    point = {"type": "Point", "coordinates": [12.5, 55.7]}
    props = {"site_id": site_id, "name": site_id.title(), "kind": kind}
    return {"type": "Feature", "properties": props, "geometry": geometry or point}


def _write(path: Path, features: list[dict]) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def test_copenhagen_demo_sites_are_read_exactly() -> None:
    """The Copenhagen demo file gives three depots in file order and ARC at its exact place."""
    sites = read_sites(DEMO_ROOT / "copenhagen" / "sites.geojson")
    assert [d.site_id for d in sites["depot"]] == ["DEPOT-NB", "DEPOT-OB", "DEPOT-IB"]
    (arc,) = sites["disposal"]
    assert (arc.site_id, arc.name, arc.lon, arc.lat) == (
        "ARC",
        "ARC Amager Bakke",
        12.6206,
        55.6847,
    )


def test_demo_directory_resolution_and_placement() -> None:
    """A city's built-in demo is simulations/cities/<name>; CITYOPS_DEMO_DIR overrides it."""
    assert demo_dir("copenhagen") == DEMO_ROOT / "copenhagen"
    assert demo_dir(str(PRAIRIEVILLE_DIR)) == DEMO_ROOT / "prairieville"
    assert demo_dir("copenhagen", PRAIRIEVILLE_DIR / "demo") == PRAIRIEVILLE_DIR / "demo"
    demo = load_demo(PRAIRIEVILLE_DIR / "demo")
    assert demo.placement.contains(*demo.activity_centre)
    assert [s.site_id for s in demo.disposal_sites] == ["PV-TRANSFER"]


@pytest.mark.parametrize(
    ("features", "message"),
    [
        ([_feature("a", "depot"), _feature("b", "landfill")], "site b: kind 'landfill'"),
        ([_feature("a", "depot"), _feature("a", "disposal")], "site id a repeated"),
        (
            [_feature("a", "depot", {"type": "LineString", "coordinates": [[0, 0], [1, 1]]})],
            "site a is not a Point",
        ),
    ],
)
def test_bad_sites_are_refused(tmp_path: Path, features: list[dict], message: str) -> None:
    """An unknown kind, a repeated id or a non-point site fails naming the site."""
    with pytest.raises(InventoryFileError, match=message):
        read_sites(_write(tmp_path / "sites.geojson", features))


def test_missing_inventory_files_are_named(tmp_path: Path) -> None:
    """A missing sites file, placement file or demo directory fails saying what is missing."""
    with pytest.raises(InventoryFileError, match="missing inventory file"):
        read_sites(tmp_path / "nope.geojson")
    with pytest.raises(InventoryFileError, match="no demo inventory at .*CITYOPS_DEMO_DIR"):
        load_demo(tmp_path / "nowhere")
    d = tmp_path / "demo"
    shutil.copytree(PRAIRIEVILLE_DIR / "demo", d)
    (d / "placement.json").unlink()
    with pytest.raises(InventoryFileError, match="placement.json: not readable"):
        load_demo(d)
