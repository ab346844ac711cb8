"""Write simulated parking data of the configured city as long-format CSVs (adapter: files only).

    python -m simulations.parking_export --out var/parking_sim --weeks 6

Sites are placed on named drivable streets of the OpenStreetMap extract when it is available
(``--osm``), otherwise scattered in the demo's placement box; districts come from the city
profile, local time from its time zone.
"""

from __future__ import annotations

import argparse
import json
import logging
from datetime import datetime
from pathlib import Path

import numpy as np

from core.cli import HelpFormatter, env_epilog
from core.districts import Districts
from core.domain import BoundingBox
from core.settings import Settings
from parking.csv_io import write_observations, write_sites
from parking.table import to_minutes
from simulations.demo_files import demo_dir, load_demo
from simulations.parking_sim import (
    SimConfig,
    StreetPoint,
    make_sites,
    scattered_sites,
    simulate_arrays,
)

log = logging.getLogger(__name__)
STREET_TAGS = {"residential", "tertiary", "secondary", "primary", "unclassified", "living_street"}


def street_points(osm_json: Path, n: int, seed: int) -> list[StreetPoint]:
    """Up to ``n`` midpoints of named street edges from an Overpass JSON file, sampled."""
    data = json.loads(osm_json.read_text())
    nodes = {e["id"]: (e["lon"], e["lat"]) for e in data["elements"] if e["type"] == "node"}
    points = []
    for e in data["elements"]:
        tags = e.get("tags", {})
        if e["type"] != "way" or tags.get("highway") not in STREET_TAGS or "name" not in tags:
            continue
        ids = [i for i in e.get("nodes", []) if i in nodes]
        for a, b in zip(ids, ids[1:], strict=False):
            (x1, y1), (x2, y2) = nodes[a], nodes[b]
            points.append(StreetPoint((x1 + x2) / 2, (y1 + y2) / 2, tags["name"]))
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(points), size=min(n, len(points)), replace=False)
    return [points[i] for i in sorted(pick)]


def export(
    out: Path,
    config: SimConfig,
    start: datetime,
    days: float,
    osm: Path | None,
    tz: str,
    placement: BoundingBox,
    districts: Districts,
) -> tuple[Path, Path]:
    """Simulate and write ``sites.csv`` and ``observations.csv`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    n_total = config.n_street + config.n_carparks
    points = street_points(osm, n_total, config.seed) if osm and osm.exists() else None
    if points:
        sims = make_sites(config, points, districts)
    else:
        sims = scattered_sites(config, placement, districts)
    sites_path, obs_path = out / "sites.csv", out / "observations.csv"
    write_sites(
        sites_path,
        [s.site for s in sims],
        {
            "side": [s.side for s in sims],
            "scheme": [s.scheme for s in sims],
        },
    )
    times, frees = [], []
    for t, free in simulate_arrays(sims, start, days, config, tz):
        times.append(to_minutes(t))
        frees.append(free)
    n = len(sims)
    ids = np.tile(np.array([s.site.site_id for s in sims]), len(times))
    caps = np.tile(np.array([s.site.capacity for s in sims]), len(times))
    write_observations(obs_path, ids, np.repeat(np.array(times), n), np.concatenate(frees), caps)
    log.info("wrote %d sites and %d observations to %s", n, n * len(times), out)
    return sites_path, obs_path


def main(argv: list[str] | None = None) -> None:
    """CLI entry point."""
    ap = argparse.ArgumentParser(
        prog="parking-export",
        description=__doc__,
        formatter_class=HelpFormatter,
        epilog=env_epilog("CITYOPS_CITY", "CITYOPS_DEMO_DIR", "CITYOPS_DATA_DIR"),
    )
    ap.add_argument(
        "--out", type=Path, required=True, help="directory for sites.csv and observations.csv"
    )
    ap.add_argument("--weeks", type=float, default=6.0, help="simulated weeks")
    ap.add_argument(
        "--start",
        default="2024-02-05T00:00:00",
        help="ISO 8601; without an offset, local time of the city (CITYOPS_CITY)",
    )
    ap.add_argument("--n-street", type=int, default=400, help="street parking segments")
    ap.add_argument("--n-carparks", type=int, default=10, help="car parks")
    ap.add_argument("--step-min", type=int, default=5, help="minutes between observations")
    ap.add_argument("--seed", type=int, default=7, help="random seed")
    ap.add_argument(
        "--osm", type=Path, default=None, help="Overpass JSON to place sites on streets"
    )
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    settings = Settings()
    profile = settings.city_profile()
    demo = load_demo(demo_dir(settings.city, settings.demo_dir))
    start = datetime.fromisoformat(args.start)
    if start.tzinfo is None:
        start = start.replace(tzinfo=profile.zone)
    config = SimConfig(
        n_street=args.n_street, n_carparks=args.n_carparks, step_min=args.step_min, seed=args.seed
    )
    sites, obs = export(
        args.out,
        config,
        start,
        args.weeks * 7,
        args.osm,
        profile.timezone,
        demo.placement,
        profile.districts,
    )
    print(f"sites={sites} observations={obs}")


if __name__ == "__main__":
    main()
