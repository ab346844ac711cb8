"""Latency of one parking query (nearby sites ranked, best bet) on 1,000+ sites, in-process.

    python benchmarks/parking_query.py [--sites 1200] [--queries 2000] [--model PATH]

Builds a model on simulated data (or loads ``--model``), then times ``parking.nearby.nearby`` for
random points in the configured city's demo placement box, radius 500 m, arrival 0-180 min
ahead, with every site's latest count. Ends with
``RESULT parking_query_p50_ms=... parking_query_p99_ms=... sites=...``.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.city import CityProfile  # noqa: E402
from core.domain import BoundingBox  # noqa: E402
from core.records import ParkingObservation  # noqa: E402
from core.settings import Settings  # noqa: E402
from parking.dataset import site_info  # noqa: E402
from parking.fit import FitConfig, fit_model  # noqa: E402
from parking.model import ParkingModel  # noqa: E402
from parking.nearby import QueryOptions, latest_counts, nearby  # noqa: E402
from parking.persistence import load_model  # noqa: E402
from parking.table import build_table, from_minutes, to_minutes  # noqa: E402
from simulations.demo_files import demo_dir, load_demo  # noqa: E402
from simulations.parking_sim import SimConfig, scattered_sites, simulate_arrays  # noqa: E402


def simulated_model(
    n_sites: int, days: float, profile: CityProfile, box: BoundingBox
) -> tuple[ParkingModel, list[ParkingObservation]]:
    """A model fitted on ``days`` of 15-minute counts of ``n_sites`` simulated sites."""
    cfg = SimConfig(n_street=n_sites - 10, n_carparks=10, step_min=15, seed=3)
    sims = scattered_sites(cfg, box, profile.districts)
    start = datetime(2024, 2, 5, tzinfo=profile.zone)
    steps = list(simulate_arrays(sims, start, days, cfg, profile.timezone))
    ids = [s.site.site_id for s in sims]
    n = len(ids)
    t = np.repeat([to_minutes(ts) for ts, _ in steps], n)
    free = np.concatenate([f for _, f in steps])
    caps = np.tile([s.site.capacity for s in sims], len(steps))
    table = build_table(ids, np.tile(ids, len(steps)), t, free, caps)
    model = fit_model(
        table,
        site_info([s.site for s in sims]),
        profile.timezone,
        FitConfig(pairs_per_lead=20_000, calibrate=False),
    )
    last_t, last_free = steps[-1]
    latest = [
        ParkingObservation(i, last_t, int(f), int(c))
        for i, f, c in zip(ids, last_free, caps[:n], strict=True)
    ]
    return model, latest


def main() -> None:
    """Benchmark entry point."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--sites", type=int, default=1200)
    ap.add_argument("--days", type=float, default=8.0)
    ap.add_argument("--queries", type=int, default=2000)
    ap.add_argument("--radius", type=float, default=500.0)
    ap.add_argument("--model", type=Path, help="benchmark a saved model instead (no latest counts)")
    args = ap.parse_args()
    t0 = time.perf_counter()
    settings = Settings()
    profile = settings.city_profile()
    box = load_demo(demo_dir(settings.city, settings.demo_dir)).placement
    if args.model:
        observations: list[ParkingObservation] = []
        model = load_model(args.model)
        now = datetime.fromisoformat(model.meta["train_end"])
    else:
        model, observations = simulated_model(args.sites, args.days, profile, box)
        now = observations[0].observed_at
    latest = latest_counts(model, observations)
    print(f"model with {len(model.sites.site_ids)} sites ready in {time.perf_counter() - t0:.1f}s")
    rng = np.random.default_rng(0)
    lons = rng.uniform(box.min_lon, box.max_lon, args.queries)
    lats = rng.uniform(box.min_lat, box.max_lat, args.queries)
    ahead = rng.uniform(0, 180, args.queries)
    opts = QueryOptions()
    for i in range(50):  # warm-up
        nearby(model, float(lons[i]), float(lats[i]), args.radius, now, latest, opts)
    ms, found = [], []
    for lon, lat, a in zip(lons, lats, ahead, strict=True):
        at = from_minutes(to_minutes(now) + int(a)) if a else now
        t = time.perf_counter_ns()
        ans = nearby(model, float(lon), float(lat), args.radius, at + timedelta(0), latest, opts)
        ms.append((time.perf_counter_ns() - t) / 1e6)
        found.append(len(ans.candidates))
    p50, p95, p99 = np.percentile(ms, [50, 95, 99])
    print(
        f"{args.queries} queries, radius {args.radius:.0f} m, "
        f"mean {np.mean(found):.1f} candidates returned"
    )
    print(f"latency ms: p50 {p50:.3f}  p95 {p95:.3f}  p99 {p99:.3f}  max {max(ms):.3f}")
    print(
        f"RESULT parking_query_p50_ms={p50:.3f} parking_query_p99_ms={p99:.3f} "
        f"sites={len(model.sites.site_ids)}"
    )


if __name__ == "__main__":
    main()
