"""Simulator speed on the configured city's real network (CITYOPS_CITY, Copenhagen by default):
the city's fleet GPS and bin fill history.

    python benchmarks/simulate.py [--hours 1] [--days 7]

Targets: 1,500 vehicles x 1 h at 5 s (1.08 M fixes) in under 40 s; a week of 1,000 bins every
15 minutes in under 2 s.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.settings import Settings
from routing.network.graph import build_network
from routing.network.osm import load_osm
from simulations.bins_sim import simulate_history
from simulations.city import build_city
from simulations.demo_files import demo_dir, load_demo
from simulations.vehicles_sim import GpsSimConfig, gps_batches


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--hours", type=float, default=1.0)
    ap.add_argument("--days", type=float, default=7.0)
    a = ap.parse_args()
    t0 = time.perf_counter()
    settings = Settings()
    profile = settings.city_profile()
    net = build_network(load_osm(profile.osm_files))
    city = build_city(net, profile, load_demo(demo_dir(settings.city, settings.demo_dir)), 1)
    print(f"network + city: {time.perf_counter() - t0:.2f} s")
    start = datetime(2026, 11, 23, 6, tzinfo=UTC)
    t0 = time.perf_counter()
    n = sum(
        len(b)
        for b in gps_batches(
            net,
            city,
            start,
            timedelta(hours=a.hours),
            1,
            GpsSimConfig(respect_shifts=False),
            tz=profile.timezone,
        )
    )
    gps_s = time.perf_counter() - t0
    print(
        f"GPS: {n:,} fixes for {len(city.vehicles)} vehicles x {a.hours:g} h in {gps_s:.2f} s"
        f" ({n / gps_s:,.0f} fixes/s; target < 40 s for 1 h)"
    )
    t0 = time.perf_counter()
    h = simulate_history(
        list(city.bins),
        start,
        timedelta(days=a.days),
        timedelta(minutes=15),
        1,
        activity=city.bin_activity,
        tz=profile.timezone,
    )
    fill_s = time.perf_counter() - t0
    print(
        f"fill history: {h.reading.size:,} readings ({len(city.bins)} bins x {a.days:g} days)"
        f" in {fill_s:.2f} s (target < 2 s for 7 days)"
    )
    print(
        f"RESULT gps_s={gps_s:.2f} gps_fixes={n} fill_history_s={fill_s:.3f}"
        f" fill_readings={h.reading.size}"
    )


if __name__ == "__main__":
    main()
