"""Named city data for tests: the built-in Copenhagen profile and demo, and the made-up
Prairieville (America/Chicago) whose profile, districts, OSM extract and demo live in
``tests/data/cities/prairieville/``."""

from __future__ import annotations

from pathlib import Path

from core.city_files import load_profile
from core.settings import DEFAULT_DATA_DIR
from simulations.demo_files import demo_dir, load_demo

COPENHAGEN = load_profile("copenhagen", DEFAULT_DATA_DIR)
COPENHAGEN_BBOX = COPENHAGEN.bbox
COPENHAGEN_TZ = COPENHAGEN.timezone
COPENHAGEN_DEMO = load_demo(demo_dir("copenhagen"))
CENTRAL_BOX = COPENHAGEN_DEMO.placement  # where the demo places bins and parking sites

PRAIRIEVILLE_DIR = Path(__file__).resolve().parent / "data" / "cities" / "prairieville"
