"""``city-plan`` (or ``plan``): plan a day from the database, print each driver's route list.

    city-plan --date 2024-05-14 --time-limit 60 [--engine portfolio|ortools|pyvrp]
              [--include BIN-ID ...] [--exclude BIN-ID ...]

Reads :class:`core.settings.Settings`; ``DATABASE_URL`` must point at a migrated database with
inventory and fill readings (for example after ``city-day`` against an external database).
Exit code 0 when the plan is stored as accepted, 2 when the checker rejected it, 1 on errors.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from core.cli import HelpFormatter, env_epilog
from core.logs import configure_logging
from core.plan import DayPlan, StopKind
from core.settings import Settings
from routing.planning.day_problem import DayConfig
from routing.planning.plan_service import PlanRejected, PlanRequest, load_network, plan_day
from routing.vrp.solution import Solution

console = Console()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="city-plan",
        description=__doc__,
        formatter_class=HelpFormatter,
        epilog=env_epilog(
            "DATABASE_URL",
            "CITYOPS_CITY",
            "CITYOPS_DATA_DIR",
            "CITYOPS_STATE_DIR",
            note="DATABASE_URL is required.",
        ),
    )
    p.add_argument("--date", type=date.fromisoformat, required=True, help="YYYY-MM-DD")
    p.add_argument("--time-limit", type=float, default=60.0, help="solver time limit (s)")
    p.add_argument(
        "--engine",
        choices=["portfolio", "ortools", "pyvrp"],
        default="portfolio",
        help="solver: both in parallel (best checked plan wins) or one",
    )
    p.add_argument("--include", nargs="*", default=[], metavar="ID", help="bins forced in")
    p.add_argument("--exclude", nargs="*", default=[], metavar="ID", help="bins forced out")
    p.add_argument("--seed", type=int, default=0, help="solver random seed")
    p.add_argument("--quiet", action="store_true", help="totals only, no route lists")
    p.add_argument("--log-level", default="WARNING", help="DEBUG, INFO, WARNING or ERROR")
    return p.parse_args(argv)


def print_plan(plan: DayPlan, routes: bool = True) -> None:
    """Route list per driver, then the totals."""
    if routes:
        for r in plan.routes:
            t = Table(
                title=f"{r.vehicle_id} from {r.depot_id}: {r.km:.1f} km,"
                f" {r.start:%H:%M}-{r.end:%H:%M}",
                title_justify="left",
            )
            for col in ("#", "ETA", "stop", "street", "load after (l)"):
                t.add_column(col)
            for s in r.stops:
                what = s.bin_id if s.kind is StopKind.BIN else f"{s.kind.value} {s.site_id}"
                t.add_row(str(s.seq), f"{s.eta:%H:%M}", what, s.street, f"{s.load_after_l:,.0f}")
            console.print(t)
    tot = plan.totals
    console.print(
        f"plan {plan.plan_id} for {plan.plan_date} ({plan.status}, engine {plan.engine}):"
        f" {tot.vehicles_used} trucks, {tot.bins_emptied} bins, {tot.km:.1f} km,"
        f" drive {tot.drive_s / 3600:.1f} h, service {tot.service_s / 3600:.1f} h,"
        f" {tot.disposal_trips} disposal trips, overflows avoided {tot.overflows_avoided},"
        f" remaining {tot.overflows_remaining}, CO2 {tot.co2_kg:.0f} kg"
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    settings = Settings()
    configure_logging(args.log_level, settings.log_format, "%(asctime)s %(name)s %(message)s")
    dsn = settings.database_url.get_secret_value()
    if not dsn:
        console.print("[red]DATABASE_URL (or CITYOPS_DATABASE_URL) must be set.[/red]")
        return 1
    request = PlanRequest(
        args.date,
        args.time_limit,
        args.engine,
        tuple(args.include),
        tuple(args.exclude),
        seed=args.seed,
        config=DayConfig(settings.city_profile().timezone),
    )
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("road network", total=None)

        def step(name: str) -> None:
            progress.update(task, description=name)

        def reported(engine: str, sol: Solution) -> None:
            state = "feasible" if sol.feasible else "infeasible"
            progress.console.log(f"{engine}: {sol.distance_m / 1000:.1f} km, {state}")

        try:
            net = load_network(settings.city_profile().osm_files)
            plan = asyncio.run(
                plan_day(dsn, request, net, settings.state_dir / "matrix-cache", step, reported)
            )
        except PlanRejected as e:
            progress.stop()
            print_plan(e.plan, routes=False)
            for v in e.plan.violations:
                console.print(f"[red]{v}[/red]")
            return 2
        except (LookupError, ValueError, RuntimeError) as e:
            progress.stop()
            console.print(f"[red]{e}[/red]")
            return 1
    print_plan(plan, routes=not args.quiet)
    return 0


if __name__ == "__main__":
    sys.exit(main())
