"""Benchmark: a collection day (1,000 bins; ``--bins 6000``: a whole city) on the road network.

    .venv/bin/python benchmarks/plan_day.py [--time-limit 120] [--seed 42] [--bins 6000]
        [--first-engine construction|pyvrp|ortools] [--engine portfolio|pyvrp|ortools]
        [--reference-s 600] [--matrix-workers 1]

No database: the simulated city (:mod:`simulations.city`) and three days of simulated fill
history (:mod:`simulations.bins_sim`) go through the pure pipeline -- forecast, selection,
problem, solve, check, day plan. Measures the time to build the travel matrix (uncached, on
``--matrix-workers`` processes), the time to the first feasible plan (problem building
included; by default the checked nearest-neighbour construction of
:mod:`routing.vrp.first_plan`, else a short single-engine run) and the cost (objective: metres
+ truck fixed costs + prizes of skipped bins) and km of the checked plan after the main solve's
time limit (the portfolio unless ``--engine``). With ``--reference-s`` the same solve runs
again for that long and the gap of the timed plan to it is reported. Checks that no truck
makes more disposal trips than ceil(its total load / capacity) + 1. Targets: matrix < 10 s,
first plan < 5 s, gap <= 2 %. Wall-clock figures depend on the machine's load; CPU seconds of
this process are printed too.
Ends with ``RESULT matrix_s=... first_plan_s=... cost=... km=... trips=...`` (plus
``ref_cost=... ref_trips=... gap_pct=...`` with a reference).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.domain import VehicleKind  # noqa: E402
from core.plan import DayPlan  # noqa: E402
from core.settings import Settings  # noqa: E402
from forecasting.forecast import ForecastParams, forecast_arrays  # noqa: E402
from routing.network.graph import build_network  # noqa: E402
from routing.network.matrix_parallel import parallel_travel_matrix  # noqa: E402
from routing.network.osm import load_osm  # noqa: E402
from routing.planning.day_problem import (  # noqa: E402
    DayConfig,
    DayProblem,
    build_day_problem,
    day_plan,
    local_midnight,
    matrix_points,
    overflow_risk,
)
from routing.planning.selection import select_bins  # noqa: E402
from routing.vrp.checker import check  # noqa: E402
from routing.vrp.first_plan import first_plan  # noqa: E402
from routing.vrp.portfolio import solve  # noqa: E402
from routing.vrp.solution import Solution  # noqa: E402
from simulations.bins_sim import simulate_history  # noqa: E402
from simulations.city import build_city  # noqa: E402
from simulations.demo_files import demo_dir, load_demo  # noqa: E402

MATRIX_TARGET_S = 10.0
FIRST_PLAN_TARGET_S = 5.0
GAP_TARGET_PCT = 2.0


def trip_excess(plan: DayPlan, capacity: dict[str, tuple[float, float]]) -> list[str]:
    """Trucks making more disposal trips than ceil(total load / capacity) + 1."""
    bad = []
    for r in plan.routes:
        loads = [0.0, 0.0]
        carried = (0.0, 0.0)
        for s in r.stops:
            if s.kind.value == "disposal":
                loads = [a + b for a, b in zip(loads, carried, strict=True)]
            carried = (s.load_after_l, s.load_after_kg)
        need = max(
            math.ceil(q / c - 1e-9)
            for q, c in zip(loads, capacity[r.vehicle_id], strict=True)
            if c > 0
        )
        if r.disposal_trips > need + 1:
            bad.append(f"{r.vehicle_id}: {r.disposal_trips} trips for {need} loads")
    return bad


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--time-limit", type=float, default=60.0)
    p.add_argument("--first-limit", type=float, default=1.0, help="first-plan engine time limit")
    p.add_argument(
        "--first-engine", default="construction", choices=["construction", "pyvrp", "ortools"]
    )
    p.add_argument(
        "--engine",
        default="portfolio",
        choices=["portfolio", "pyvrp", "ortools"],
        help="engine of the main solve",
    )
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--bins", type=int, default=1000)
    p.add_argument("--date", type=date.fromisoformat, default=date(2024, 5, 14))
    p.add_argument("--matrix-workers", type=int, default=1, help="processes for the matrix")
    p.add_argument(
        "--reference-s", type=float, default=0.0, help="also solve this long as the reference"
    )
    a = p.parse_args(argv)
    settings = Settings()

    t0 = time.perf_counter()
    profile = settings.city_profile()
    demo = load_demo(demo_dir(settings.city, settings.demo_dir))
    net = build_network(load_osm(profile.osm_files))
    city = build_city(
        net, profile, demo, a.seed, n_bins=a.bins, n_vehicles=200, n_trucks=60, n_cleaners=40
    )
    cfg = DayConfig(profile.timezone)
    service_at = local_midnight(a.date, cfg.tz) + timedelta(hours=6)
    history = simulate_history(
        list(city.bins),
        service_at - timedelta(days=3),
        timedelta(days=3),
        timedelta(minutes=30),
        a.seed,
        activity=city.bin_activity,
        tz=cfg.tz,
    )
    n_trucks = len(city.vehicles_of(VehicleKind.WASTE_TRUCK))
    print(
        f"network {net.n_nodes:,} nodes, city {len(city.bins)} bins, {n_trucks} trucks"
        f" ({time.perf_counter() - t0:.1f} s)"
    )

    steps = len(history.times)
    ids = np.tile(np.array(history.sensor_ids), steps)
    utc = np.repeat([t.timestamp() for t in history.times], len(city.bins))
    t0 = time.perf_counter()
    forecasts = forecast_arrays(
        list(city.bins), ids, utc, history.reading.ravel(), ForecastParams(cfg.tz)
    )
    nxt = service_at + timedelta(days=1)
    selection = select_bins(list(city.bins), forecasts, service_at, nxt)
    at_risk = overflow_risk(list(city.bins), forecasts, nxt)
    print(
        f"forecast + selection {time.perf_counter() - t0:.1f} s: {len(selection.required)}"
        f" required, {len(selection.optional)} optional, {len(at_risk)} at risk"
    )

    print("travel matrix ...", flush=True)
    t0, c0 = time.perf_counter(), time.process_time()
    lon, lat = matrix_points(city.bins, city.depots, city.disposal_sites)
    matrix = parallel_travel_matrix(net, lon, lat, a.matrix_workers)
    matrix_s = time.perf_counter() - t0
    print(
        f"matrix {matrix.size} points: {matrix_s:.2f} s, cpu {time.process_time() - c0:.2f} s"
        f" (target < {MATRIX_TARGET_S:g} s)",
        flush=True,
    )

    print("first plan ...", flush=True)
    t0, c0 = time.perf_counter(), time.process_time()
    streets = [net.street_name(int(n)) for n in matrix.nodes]
    problem = build_day_problem(
        a.date,
        city.bins,
        selection,
        city.vehicles,
        city.depots,
        city.disposal_sites,
        matrix,
        streets,
        cfg,
    )
    build_s = time.perf_counter() - t0
    if a.first_engine == "construction":
        first = first_plan(problem.data)
    else:
        first = solve(problem.data, a.first_engine, time_limit_s=a.first_limit, seed=a.seed)
    first_s = time.perf_counter() - t0
    print(
        f"first plan ({first.engine}): {first_s:.2f} s (problem {build_s:.2f} s),"
        f" cpu {time.process_time() - c0:.2f} s (target < {FIRST_PLAN_TARGET_S:g} s),"
        f" feasible={first.feasible}, cost {first.objective}, {first.distance_m / 1000:.1f} km",
        flush=True,
    )

    print(f"{a.engine} for {a.time_limit:g} s ...", flush=True)
    best, plan, violations = _timed_plan(problem, first, at_risk, a.engine, a.time_limit, a.seed)
    for note in best.notes:
        print(f"  {note}")
    t = plan.totals
    print(
        f"plan_{a.time_limit:g}s: engine {plan.engine}, status {plan.status},"
        f" cost {best.objective},"
        f" km {t.km:.1f}, drive {t.drive_s / 3600:.1f} h, service {t.service_s / 3600:.1f} h,"
        f" bins {t.bins_emptied}, trucks {t.vehicles_used}, disposal trips {t.disposal_trips},"
        f" overflows avoided {t.overflows_avoided} / remaining {t.overflows_remaining},"
        f" CO2 {t.co2_kg:.0f} kg",
        flush=True,
    )
    ref_part = ""
    gap_ok = True
    if a.reference_s > 0:
        print(f"reference: {a.engine} for {a.reference_s:g} s ...", flush=True)
        ref, ref_plan, _ = _timed_plan(problem, first, at_risk, a.engine, a.reference_s, a.seed)
        gap = 100.0 * (best.objective - ref.objective) / ref.objective
        gap_ok = gap <= GAP_TARGET_PCT
        print(
            f"reference {a.reference_s:g} s: engine {ref_plan.engine}, status {ref_plan.status},"
            f" cost {ref.objective}, km {ref_plan.totals.km:.1f},"
            f" disposal trips {ref_plan.totals.disposal_trips}; gap of the"
            f" {a.time_limit:g} s plan {gap:.2f} % (target <= {GAP_TARGET_PCT:g} %)",
            flush=True,
        )
        ref_part = (
            f" ref_s={a.reference_s:g} ref_cost={ref.objective}"
            f" ref_trips={ref_plan.totals.disposal_trips} gap_pct={gap:.2f}"
        )
    cap = {v.vehicle_id: (v.capacity_l, v.capacity_kg) for v in city.vehicles}
    excess = trip_excess(plan, cap)
    for line in excess:
        print(f"TOO MANY DISPOSAL TRIPS {line}")
    ok = not violations and not excess and matrix_s < MATRIX_TARGET_S
    ok = ok and first.feasible and first_s < FIRST_PLAN_TARGET_S and gap_ok
    print(
        f"RESULT bins={a.bins} matrix_s={matrix_s:.2f} first_plan_s={first_s:.2f}"
        f" first_feasible={int(first.feasible)} time_limit_s={a.time_limit:g}"
        f" cost={best.objective} km={t.km:.1f} trips={t.disposal_trips}"
        f" checked={int(not violations)}{ref_part}"
    )
    return 0 if ok else 1


def _timed_plan(
    problem: DayProblem,
    first: Solution,
    at_risk: set[str],
    engine: str,
    limit_s: float,
    seed: int,
) -> tuple[Solution, DayPlan, list[str]]:
    """The better checked plan of ``engine`` after ``limit_s`` and ``first``, as a day plan."""
    t0 = time.perf_counter()
    best = solve(problem.data, engine, time_limit_s=limit_s, seed=seed)
    if first.feasible and (not best.feasible or first.objective < best.objective):
        best = first
    violations = [v.message for v in check(problem.data, best)]
    print(f"  solved in {time.perf_counter() - t0:.1f} s", flush=True)
    return best, day_plan(problem, best, at_risk, violations, limit_s), violations


if __name__ == "__main__":
    sys.exit(main())
