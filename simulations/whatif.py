"""What-if study CLI: fixed rounds vs k-soonest vs the platform, in the closed loop.

    python -m simulations.whatif --config small --weeks 3 --seeds 2 --out var/whatif [--jobs 2]

Builds the configured city (:meth:`core.settings.Settings.city_profile`: time zone and OSM
extracts; the demo's depots and disposal sites) with the ``small`` (300 bins, 3 trucks) or
``copenhagen`` (1,000 bins, 10 trucks) inventory, runs every policy setting with every seed
(:mod:`simulations.loop.study`) and writes into ``--out``:

* ``daily.csv`` -- one row per policy, setting, seed and day (the columns of
  :data:`simulations.loop.results.DAILY_COLUMNS`);
* ``plans.csv`` -- per working day how the routes were made (solver seed, iteration budget,
  violations) and how many planned bins were left at shift end;
* ``run.json`` -- seeds, weeks, warm-up, settings, budget, sensors, traffic, GPS, drivers'
  reports, adherence thresholds, scenario (:mod:`simulations.loop.outputs`);
* ``fill_at_emptying.csv`` -- per run and day, the emptyings in each 5 % fill class
  (:mod:`simulations.loop.fill_rows`);
* ``km_legs.csv`` -- per run and day, km between bins, to and from disposal sites and from and
  to the depots, unloads and the fewest possible (:mod:`simulations.loop.km_rows`);
* ``bins.csv`` -- each bin's id, lon, lat and capacity; ``overflow_bins.csv`` -- per run and
  bin, the overflow over the evaluated days (:mod:`simulations.loop.bin_rows`);
* ``adherence.csv`` -- per run and working day, proof of service computed by the live code from
  the trucks' GPS (every ``--gps-interval`` s) and the drivers' reports (``--report-missing``,
  ``--report-wrong``) (:mod:`simulations.loop.adherence_rows`; not with ``--no-proof``);
* ``report.html`` -- self-contained figures and tables drawn from the CSV files;
* ``result.txt`` -- the ``RESULT ...`` line, also printed last.

``--report DIR`` regenerates ``report.html`` and ``result.txt`` from ``DIR``'s CSV files and
``run.json`` without simulating (a study written before the optional files existed gets a note
in their place).

Every run is seeded and every solve has an iteration budget, so the figures do not depend on
the machine, its load or ``--jobs``.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from core.cli import HelpFormatter, env_epilog
from core.settings import Settings
from routing.network.graph import build_network
from routing.network.matrix_cache import cached_travel_matrix
from routing.network.osm import load_osm
from routing.planning.day_problem import matrix_points
from simulations.city import build_city
from simulations.demo_files import demo_dir, load_demo
from simulations.loop.adherence_rows import parse_adherence_csv
from simulations.loop.bin_rows import parse_bin_overflow_csv, parse_places_csv
from simulations.loop.config import (
    GpsConfig,
    LoopConfig,
    ReportConfig,
    SensorConfig,
    SolverBudget,
    parse_work_days,
)
from simulations.loop.fill_rows import parse_fill_csv
from simulations.loop.km_rows import parse_km_csv
from simulations.loop.kpis.comparison import compare, result_line
from simulations.loop.kpis.workweek import week_of_run
from simulations.loop.outputs import run_meta, study_files
from simulations.loop.report import Extras, report_html
from simulations.loop.results import RunResult, parse_daily_csv
from simulations.loop.scenario import Scenario, scenario_from_city
from simulations.loop.study import Job, collect, default_settings, jobs, run_job

console = Console(stderr=True)
log = logging.getLogger(__name__)
T = TypeVar("T")
CITY_SEED = 7  # the inventory (bin places, trucks) is the same for every seed of a study


@dataclass(frozen=True)
class Preset:
    """A named study size."""

    n_bins: int
    n_trucks: int
    weeks: int
    seeds: int
    budget: SolverBudget


PRESETS = {
    "small": Preset(300, 3, 3, 2, SolverBudget(max_iterations=800, max_no_improvement=300)),
    "copenhagen": Preset(1000, 10, 8, 3, SolverBudget(max_iterations=2000, max_no_improvement=600)),
}


def build_scenario(name: str, preset: Preset, settings: Settings) -> tuple[Scenario, str]:
    """The city's road network, inventory and travel matrix; returns it with the time zone."""
    profile = settings.city_profile()
    net = build_network(load_osm(profile.osm_files))
    demo = load_demo(demo_dir(settings.city, settings.demo_dir))
    city = build_city(
        net,
        profile,
        demo,
        seed=CITY_SEED,
        n_bins=preset.n_bins,
        n_vehicles=preset.n_trucks,
        n_trucks=preset.n_trucks,
        n_cleaners=0,
    )
    lon, lat = matrix_points(city.bins, city.depots, city.disposal_sites)
    matrix = cached_travel_matrix(settings.state_dir / "matrices", net, lon, lat)
    return scenario_from_city(city, matrix, name=name, network=net), profile.timezone


_WORKER: tuple[Scenario, LoopConfig] | None = None


def _init_worker(scenario: Scenario, config: LoopConfig) -> None:
    global _WORKER
    _WORKER = (scenario, config)


def _run_in_worker(job: Job) -> RunResult:
    assert _WORKER is not None, "worker not initialised"
    return run_job(_WORKER[0], _WORKER[1], job)


def run_all(
    scenario: Scenario, config: LoopConfig, todo: list[Job], n_jobs: int
) -> list[RunResult]:
    """Every job, in ``n_jobs`` processes (1: in this one), with a progress bar."""
    columns = ("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn())
    out: list[RunResult] = []
    with Progress(*columns, TimeElapsedColumn(), console=console) as bar:
        task = bar.add_task("runs", total=len(todo))
        if n_jobs <= 1:
            for job in todo:
                bar.update(task, description=f"{job.policy} {job.param} seed {job.seed}")
                out.append(run_job(scenario, config, job))
                bar.advance(task)
            return out
        with ProcessPoolExecutor(
            n_jobs, initializer=_init_worker, initargs=(scenario, config)
        ) as ex:
            futures = {ex.submit(_run_in_worker, j): j for j in todo}
            for f in as_completed(futures):
                j = futures[f]
                bar.update(task, description=f"done {j.policy} {j.param} seed {j.seed}")
                out.append(f.result())
                bar.advance(task)
    return out


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="city-whatif",
        description=__doc__.split("\n\n")[0],
        formatter_class=HelpFormatter,
        epilog=env_epilog(
            "CITYOPS_CITY",
            "CITYOPS_DATA_DIR",
            "CITYOPS_DEMO_DIR",
            "CITYOPS_STATE_DIR",
            note="Both configurations place the simulated city on the configured city's road"
            " network (its profile's OSM files).",
        ),
    )
    p.add_argument("--config", choices=sorted(PRESETS), default="small")
    p.add_argument("--weeks", type=int, help="simulated weeks, warm-up included")
    p.add_argument("--seeds", type=int, help="how many seeds: FIRST..FIRST+S-1")
    p.add_argument(
        "--first-seed",
        type=int,
        default=1,
        help="first seed (the defaults were tuned on seeds 101-102: report on others)",
    )
    p.add_argument("--out", type=Path, help="output directory")
    p.add_argument("--report", type=Path, help="only redraw the report of this output directory")
    p.add_argument("--jobs", type=int, default=1, help="worker processes")
    p.add_argument("--coverage", type=float, default=1.0, help="share of bins with a sensor")
    p.add_argument("--work-days", default="mon-sat", help="e.g. mon-sat, mon-fri, mon,wed,fri")
    p.add_argument("--warmup-days", type=int, default=7)
    p.add_argument("--iterations", type=int, help="PyVRP iterations per solve")
    p.add_argument("--no-improvement", type=int, help="PyVRP iterations without improvement")
    p.add_argument(
        "--gps-interval",
        type=float,
        default=5.0,
        help="seconds between GPS fixes (coarser: a little faster, short stops go unproven)",
    )
    p.add_argument("--report-missing", type=float, default=0.02, help="share of reports missing")
    p.add_argument("--report-wrong", type=float, default=0.01, help="share of reports wrong")
    p.add_argument("--no-proof", action="store_true", help="no GPS, no proof of service")
    p.add_argument("--log-level", default="WARNING")
    args = p.parse_args(argv)
    if args.report is None and args.out is None:
        p.error("give --out DIR (or --report DIR to redraw a report).")
    preset = PRESETS[args.config]
    args.weeks = args.weeks or preset.weeks
    args.seeds = args.seeds or preset.seeds
    if args.weeks <= 0 or args.seeds <= 0 or args.jobs <= 0 or args.first_seed < 0:
        p.error("--weeks, --seeds and --jobs must be positive, --first-seed not negative.")
    if args.weeks * 7 <= args.warmup_days:
        p.error("the run must be longer than the warm-up.")
    try:
        args.gps = GpsConfig(interval_s=args.gps_interval)
        args.reports = ReportConfig(missing=args.report_missing, wrong=args.report_wrong)
    except ValueError as e:
        p.error(str(e))
    args.budget = SolverBudget(
        max_iterations=args.iterations or preset.budget.max_iterations,
        max_no_improvement=args.no_improvement or preset.budget.max_no_improvement,
    )
    return args


def write(out: Path, name: str, text: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / name).write_text(text, encoding="utf-8")


def _optional(path: Path, parse: Callable[[str], list[T]]) -> list[T] | None:
    if not path.exists():
        log.warning("%s is missing: the report leaves out what is drawn from it", path.name)
        return None
    return parse(path.read_text(encoding="utf-8"))


def redraw(out: Path) -> str:
    """Rewrite ``report.html`` and ``result.txt`` from the CSV files; returns the RESULT line."""
    meta = json.loads((out / "run.json").read_text(encoding="utf-8"))
    days = parse_daily_csv((out / "daily.csv").read_text(encoding="utf-8"))
    after = int(meta["warmup_days"])
    comparison = compare(days, after=after)
    line = result_line(comparison, seeds=len(meta["seeds"]), weeks=int(meta["weeks"]))
    extras = Extras(
        fills=_optional(out / "fill_at_emptying.csv", parse_fill_csv),
        bin_overflow=_optional(out / "overflow_bins.csv", parse_bin_overflow_csv),
        places=_optional(out / "bins.csv", parse_places_csv),
        week=week_of_run(meta),
        adherence=_optional(out / "adherence.csv", parse_adherence_csv),
        km_legs=_optional(out / "km_legs.csv", parse_km_csv),
    )
    write(out, "report.html", report_html(days, comparison, after, line, extras))
    write(out, "result.txt", line + "\n")
    return line


def main(argv: list[str] | None = None, echo: Callable[[str], None] = print) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(name)s %(message)s")
    if args.report is not None:
        echo(redraw(args.report))
        return 0
    preset = PRESETS[args.config]
    console.log(f"building the {args.config} city ({preset.n_bins} bins, {preset.n_trucks} trucks)")
    scenario, tz = build_scenario(args.config, preset, Settings())
    config = LoopConfig(
        tz=tz,
        days=7 * args.weeks,
        work_days=parse_work_days(args.work_days),
        warmup_days=args.warmup_days,
        sensors=SensorConfig(coverage=args.coverage),
        budget=args.budget,
        gps=args.gps,
        reports=args.reports,
        proof_of_service=not args.no_proof,
    )
    args.settings = default_settings(scenario.n_bins)
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    todo = jobs(args.settings, seeds)
    results = run_all(scenario, config, todo, args.jobs)
    rows = collect(results)
    meta = run_meta(scenario, config, args.config, seeds, args.weeks, args.settings)
    files = study_files(scenario, config, rows, meta)
    for name, text in files.items():
        write(args.out, name, text)
    line = redraw(args.out)
    console.log(f"wrote {args.out}/{', '.join(files)}, report.html")
    echo(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
