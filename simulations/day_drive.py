"""One simulated day of the main job, after its plan: the trucks drive it, everything goes
through the real pipeline, and the day ends with proof of service and the fleet report.

Steps of day ``d``: plan from what was ingested before the first shift
(:func:`simulations.day_outputs.plan_routes`); draw the litter up to the next day's plan
(:mod:`simulations.bin_levels`); the routed trucks drive the plan (:mod:`simulations.truck_day`);
their whole shift of GPS, merged with the other vehicles' window, and the fill readings (the
emptied bins reset) are published to the broker; the drivers report their stops through the
running API (:mod:`simulations.day_reports`); once the consumers have committed everything, the
plan's adherence is computed and stored (:func:`fleet.adherence_service.compute_adherence`) and
printed with the fleet report and a check of the live map's positions.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime

from api.serve import DemoUser
from core.districts import Districts
from core.domain import Bin
from core.embedded import Endpoints
from core.plan import DayPlan
from core.settings import Settings
from fleet.adherence_types import PlanAdherence
from ingest.topics import kinds
from routing.network.graph import RoadNetwork
from routing.network.matrix_cache import cached_travel_matrix
from routing.planning.day_problem import matrix_points, waste_trucks
from simulations.bin_levels import BinLevels
from simulations.bins_sim import FillHistory
from simulations.city import City
from simulations.day_api import ApiThread, credentials
from simulations.day_ingest import wait_ingested
from simulations.day_outputs import fleet_summary, plan_routes
from simulations.day_publish import Streams
from simulations.day_reports import Posted, post_reports
from simulations.day_scenario import DayScenario, console
from simulations.day_summary import adherence, check_live_positions, print_adherence, print_reports
from simulations.driver_reports import ReportRates, ReportTally, driver_reports
from simulations.loop.clock import Clock
from simulations.loop.scenario import Scenario
from simulations.truck_day import DriveConfig, DrivenDay, drive_plan, gps_stream
from simulations.vehicles_sim import gps_batches


@dataclass(frozen=True)
class RunOptions:
    """How the days are planned, driven, reported and served."""

    plan_time_limit: float = 20.0
    engine: str = "portfolio"
    speedup: float = 0.0
    serve_seconds: float | None = None
    port: int | None = None
    reports: ReportRates = field(default_factory=ReportRates)
    drive: DriveConfig = field(default_factory=DriveConfig)
    parking_model: bool = True  # train the parking model the API serves (needs days of counts)


@dataclass(frozen=True)
class DayOutcome:
    """What one day produced."""

    day: date
    plan: DayPlan | None
    driven: DrivenDay | None
    tally: ReportTally
    posted: Posted
    adherence: PlanAdherence | None
    live_trucks: int  # routed trucks the live map shows at their last fix
    levels_after: BinLevels  # the bins' true levels at the day's last reading


@dataclass
class CityRun:
    """The state of a run across its days."""

    ep: Endpoints
    settings: Settings
    net: RoadNetwork
    city: City
    districts: Districts
    scenario: DayScenario
    options: RunOptions
    streams: Streams
    levels: BinLevels | None = None
    api: ApiThread | None = None
    users: list[DemoUser] = field(default_factory=list)  # the demo users of the latest day
    # offsets committed per kind before this run (a persisted store's earlier runs)
    committed_before: dict[str, int] = field(default_factory=dict)
    _loop_scenario: Scenario | None = None

    @property
    def clock(self) -> Clock:
        return Clock(self.scenario.day, self.scenario.days + 1, self.scenario.tz)

    def plan_time(self, d: int) -> datetime:
        """When day ``d``'s plan is made: its first truck shift start (as the planner does)."""
        trucks = waste_trucks(self.city.vehicles)
        return self.scenario.at(d, min((t.shift_start_h for t in trucks), default=6.0))

    def sent(self) -> dict[str, int]:
        """Messages published so far per ingest kind."""
        by_kind = kinds(self.settings)
        return {k: self.streams.pub.counts.sent[by_kind[k].topic(self.settings)] for k in by_kind}

    def loop_scenario(self) -> Scenario:
        """The city as the trucks' simulator sees it, on the planner's cached travel matrix
        (inventory in the database's order: the same matrix points, so the same cache file)."""
        if self._loop_scenario is None:
            c = self.city
            order = sorted(range(len(c.bins)), key=lambda k: c.bins[k].bin_id)
            bins: tuple[Bin, ...] = tuple(c.bins[k] for k in order)
            depots = tuple(sorted(c.depots, key=lambda s: s.site_id))
            disposal = tuple(sorted(c.disposal_sites, key=lambda s: s.site_id))
            lon, lat = matrix_points(bins, depots, disposal)
            matrix = cached_travel_matrix(
                self.settings.state_dir / "matrix-cache", self.net, lon, lat
            )
            activity = tuple(max(c.bin_activity[k], 1e-3) for k in order)
            trucks = tuple(waste_trucks(c.vehicles))
            self._loop_scenario = Scenario(bins, activity, trucks, depots, disposal, matrix)
        return self._loop_scenario


def run_day(run: CityRun, d: int) -> DayOutcome:
    """Plan, drive, publish, report and check day ``d`` (0: the first)."""
    sc, opts = run.scenario, run.options
    assert run.levels is not None and run.api is not None
    plan_date = sc.date_of(d)
    console.rule(f"day {d + 1} of {sc.days}: {plan_date}")
    plan = plan_routes(
        plan_date, sc, opts.plan_time_limit, opts.engine, run.net, run.ep, run.settings
    )
    t0 = time.monotonic()
    window = run.levels.window(
        min(run.plan_time(d + 1), datetime.now(UTC)), run.streams.interval, d
    )
    driven = None
    emptied: dict[int, datetime] = {}
    if plan is not None and plan.routes:
        loop_sc, clock, index = run.loop_scenario(), run.clock, run.levels.index()

        def content_of(b: int, t_h: float) -> float:
            at = clock.instant(t_h)
            return window.level_at(index[loop_sc.bins[b].bin_id], at) * loop_sc.bins[b].capacity_l

        driven = drive_plan(plan, loop_sc, run.net, clock, d, sc.seed, content_of, opts.drive)
        emptied = {index[b]: clock.instant(s.t_h) for b, s in driven.services().items()}
        ex = driven.execution
        console.log(
            f"trucks drove the plan: {len(ex.services)} bins emptied, {len(driven.blocked)}"
            f" found blocked, {len(ex.not_done)} left at shift end;"
            f" {sum(t.km for t in ex.trucks):.1f} km, {sum(t.disposal_trips for t in ex.trucks)}"
            f" unloads; {len(driven.fixes):,} GPS fixes ({time.monotonic() - t0:.1f} s)"
        )
    history, run.levels = window.close(emptied)
    n_gps, n_fill = _publish(run, d, plan, driven, history)
    tally, posted = ReportTally(), Posted()
    if plan is not None and plan.plan_id is not None and driven is not None:
        tally, posted = _report(run, plan, driven)
    wait_ingested(run.ep, run.settings, run.sent(), before=run.committed_before)
    console.log(f"ingested {n_gps:,} GPS fixes and {n_fill:,} fill readings of the day")
    result = None
    live = 0
    if plan is not None and plan.plan_id is not None and driven is not None:
        now = min(datetime.now(UTC), sc.midnight(d + 1))
        result = adherence(run.ep.database_url, plan.plan_id, now)
        print_adherence(result, run.settings.pseudonym_key.get_secret_value())
        print_reports(tally, posted)
    g0, g1 = sc.gps_window(d)
    last = driven.last_fix() if driven else {}
    until = max([g1, *(f.observed_at for f in last.values())]).astimezone(g1.tzinfo)
    fleet_summary(run.ep, run.settings, (min(g0, run.plan_time(d)), until), run.city, run.districts)
    if last:
        depots = {s.site_id: (s.lon, s.lat) for s in run.city.depots}
        home = {v.vehicle_id: depots[v.depot_id] for v in run.city.vehicles}
        live = check_live_positions(run.ep.database_url, last, home, sc.tz)
    return DayOutcome(plan_date, plan, driven, tally, posted, result, live, run.levels)


def _publish(
    run: CityRun, d: int, plan: DayPlan | None, driven: DrivenDay | None, history: FillHistory
) -> tuple[int, int]:
    """The day's GPS (routed trucks' shift + the others' window) and fill readings."""
    sc, t0 = run.scenario, time.monotonic()
    routed = {r.vehicle_id for r in plan.routes} if plan else set()
    others = replace(
        run.city, vehicles=tuple(v for v in run.city.vehicles if v.vehicle_id not in routed)
    )
    g0, g1 = sc.gps_window(d)
    batches = (
        gps_batches(run.net, others, g0, g1 - g0, sc.seed + 7919 * d, tz=sc.tz)
        if sc.gps_hours > 0 and others.vehicles
        else iter(())
    )
    n_gps = run.streams.gps(gps_stream(driven.fixes if driven else (), batches))
    n_fill = run.streams.readings(history)
    run.streams.flush()
    console.log(
        f"published {n_gps:,} GPS fixes ({len(driven.fixes) if driven else 0:,} of the"
        f" {len(routed)} routed trucks) and {n_fill:,} fill readings up to the next plan"
        f" ({time.monotonic() - t0:.1f} s)"
    )
    return n_gps, n_fill


def _report(run: CityRun, plan: DayPlan, driven: DrivenDay) -> tuple[ReportTally, Posted]:
    """The drivers' reports on their stops, sent through the API as the demo drivers."""
    assert run.api is not None and plan.plan_id is not None
    t0 = time.monotonic()
    users = run.users = run.api.drivers(len(plan.routes))
    reports, tally = driver_reports(
        plan, driven, run.loop_scenario(), run.clock, run.options.reports, run.scenario.seed
    )
    posted = post_reports(run.api.base_url, plan.plan_id, reports, credentials(users))
    console.log(
        f"{len(reports)} stop reports sent through the API as {len(users) - 1} drivers"
        f" ({time.monotonic() - t0:.1f} s)"
    )
    return tally, posted
