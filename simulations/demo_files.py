"""File adapter: the demo's inventory files of one city as a :class:`~simulations.city.DemoSetup`.

A demo directory holds ``sites.geojson`` (depots and disposal sites: a plain GeoJSON
FeatureCollection with properties ``site_id``, ``name``, ``kind``, the format the inventory
import reads) and ``placement.json`` (``placement_box`` and ``activity_centre``: where the seeded
simulator generates bins and parking sites). Built-in demos live in ``simulations/cities/<city>/``;
``CITYOPS_DEMO_DIR`` points at another directory.
"""

from __future__ import annotations

import json
from pathlib import Path

from core.domain import BoundingBox
from core.inventory_files import InventoryFileError, read_sites
from simulations.city import DemoSetup

DEMO_ROOT = Path(__file__).resolve().parent / "cities"


def demo_dir(city: str, override: Path | None = None) -> Path:
    """``override`` if given, else the built-in demo of ``city`` (a profile name or directory)."""
    if override is not None:
        return Path(override)
    return DEMO_ROOT / Path(city).name


def load_demo(directory: Path) -> DemoSetup:
    """Read and validate a demo directory."""
    directory = Path(directory)
    if not directory.is_dir():
        raise InventoryFileError(
            f"no demo inventory at {directory}: give CITYOPS_DEMO_DIR a directory with"
            " sites.geojson and placement.json."
        )
    sites = read_sites(directory / "sites.geojson")
    path = directory / "placement.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        box = raw["placement_box"]
        return DemoSetup(
            tuple(sites["depot"]),
            tuple(sites["disposal"]),
            BoundingBox(
                float(box["min_lon"]),
                float(box["min_lat"]),
                float(box["max_lon"]),
                float(box["max_lat"]),
            ),
            (float(raw["activity_centre"][0]), float(raw["activity_centre"][1])),
        )
    except OSError as e:
        raise InventoryFileError(f"demo placement {path}: not readable ({e}).") from e
    except KeyError as e:
        raise InventoryFileError(f"demo placement {path}: missing key {e}.") from e
    except (TypeError, ValueError, IndexError) as e:
        raise InventoryFileError(f"demo {directory}: {e}") from e
