"""Benchmark the routing engines on CVRPLIB instances against their best-known solutions.

Usage::

    python benchmarks/cvrplib.py /work/shared/data/cvrplib/X/X-n101-k25.vrp --time-limit 10
    python benchmarks/cvrplib.py /work/shared/data/cvrplib/X --engine pyvrp --time-limit 60
    python benchmarks/cvrplib.py 'data/X/X-n1*.vrp' --write-solutions out/

Each plan is verified by the independent checker and its cost recomputed from the instance's
distance matrix; the gap is against the ``.sol`` beside the ``.vrp`` when there is one. The last
line is ``RESULT instances=N gap_pct_avg=A gap_pct_max=M`` over instances with a best-known
cost (an infeasible plan counts as an infinite gap), followed by the average and worst gap of each
size band that has instances (customers up to 300, 301-600, over 600), e.g.
``le300_n=43 le300_avg=0.20 le300_max=1.40``.
"""

from __future__ import annotations

import argparse
import glob
import math
import re
import sys
import time
from pathlib import Path

from routing.vrp.checker import check
from routing.vrp.engines import ENGINES
from routing.vrp.portfolio import PORTFOLIO, solve
from routing.vrp.vrplib import read_sol, read_vrp, write_sol


def instance_paths(args: list[str]) -> list[Path]:
    """``.vrp`` files named by paths, directories or glob patterns, in natural size order."""
    found: list[Path] = []
    for arg in args:
        p = Path(arg)
        if p.is_dir():
            found.extend(p.glob("*.vrp"))
        elif p.exists():
            found.append(p)
        else:
            found.extend(Path(m) for m in glob.glob(arg) if m.endswith(".vrp"))
    return sorted(
        set(found), key=lambda q: [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", q.name)]
    )


def route_cost(distance, routes: list[list[int]]) -> int:  # noqa: ANN001 - numpy matrix
    """CVRP cost of depot-based routes (depot = location 0), recomputed from scratch."""
    total = 0
    for r in routes:
        path = [0, *r, 0]
        total += sum(int(distance[a, b]) for a, b in zip(path, path[1:], strict=False))
    return total


BANDS = (("le300", 0, 300), ("301_600", 301, 600), ("gt600", 601, math.inf))


def band_figures(rows: list[tuple[int, float]]) -> dict[str, str]:
    """RESULT fields per size band: count, average and worst gap of ``(customers, gap %)`` rows
    (bands without instances are left out)."""
    out: dict[str, str] = {}
    for name, lo, hi in BANDS:
        gaps = [g for n, g in rows if lo <= n <= hi]
        if gaps:
            out[f"{name}_n"] = str(len(gaps))
            out[f"{name}_avg"] = f"{sum(gaps) / len(gaps):.2f}"
            out[f"{name}_max"] = f"{max(gaps):.2f}"
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instances", nargs="+", help=".vrp files, directories or globs")
    parser.add_argument("--engine", choices=[PORTFOLIO, *sorted(ENGINES)], default=PORTFOLIO)
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per instance")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--write-solutions", type=Path, metavar="DIR")
    args = parser.parse_args(argv)

    paths = instance_paths(args.instances)
    if not paths:
        parser.error("no .vrp instance found")
    if args.write_solutions:
        args.write_solutions.mkdir(parents=True, exist_ok=True)
    rows: list[tuple[int, float]] = []  # (customers, gap) of instances with a best-known cost
    for path in paths:
        inst = read_vrp(path)
        t0 = time.perf_counter()
        sol = solve(inst.data, args.engine, time_limit_s=args.time_limit, seed=args.seed)
        wall = time.perf_counter() - t0
        violations = check(inst.data, sol)
        cost = route_cost(inst.data.distance, [r.locations for r in sol.routes])
        if cost != sol.distance_m:
            violations.append(f"cost mismatch: {cost} != reported {sol.distance_m}")  # type: ignore[arg-type]
        if args.write_solutions:
            write_sol(args.write_solutions / f"{inst.name}.sol", sol)
        sol_path = path.with_suffix(".sol")
        bks = read_sol(sol_path).cost if sol_path.exists() else None
        gap = math.inf if violations else (100.0 * (cost - bks) / bks if bks else math.nan)
        if bks:
            rows.append((len(inst.data.clients), gap))
        status = "ok" if not violations else f"INFEASIBLE ({len(violations)} violations)"
        print(
            f"{inst.name:<16} cost={cost:<8} bks={bks if bks else '-':<8} gap={gap:6.2f}% "
            f"routes={len(sol.routes):<4} engine={sol.engine:<8} time={wall:5.1f}s {status}",
            flush=True,
        )
    gaps = [g for _, g in rows]
    avg = sum(gaps) / len(gaps) if gaps else math.nan
    worst = max(gaps) if gaps else math.nan
    print(f"average gap {avg:.2f}% over {len(gaps)} instances with a best-known solution")
    bands = band_figures(rows)
    for name, _, _ in BANDS:
        if f"{name}_n" in bands:
            print(
                f"  {name}: {bands[name + '_n']} instances, average {bands[name + '_avg']}%, "
                f"worst {bands[name + '_max']}%"
            )
    fields = "".join(f" {k}={v}" for k, v in bands.items())
    print(f"RESULT instances={len(paths)} gap_pct_avg={avg:.2f} gap_pct_max={worst:.2f}{fields}")
    return 0 if all(math.isfinite(g) for g in gaps) else 1


if __name__ == "__main__":
    sys.exit(main())
