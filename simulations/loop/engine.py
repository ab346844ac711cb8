"""One closed-loop run: a policy, a seed, a city, day after day.

Pure and seeded. Everything random is drawn from the seed before or independently of the
policy (deposits, sensor faults, traffic), so policies meet the same city. Events, in time
order: the sensors measure every ``interval_h`` and the platform receives what arrives; on each
working day, ``plan_lead_h`` before the first shift, the policy plans from what the platform
knows, the trucks' day is driven (:mod:`simulations.loop.execution`) and its emptyings are
scheduled; each emptying updates the ground truth, and the platform learns what the driver
reports (:mod:`simulations.loop.stop_reports`: a missing report teaches nothing, a wrong one is
believed); each local midnight closes the day's books into a
:class:`~simulations.loop.results.DayRow` and, on a working day, proves the day's service from
the GPS and the reports with the live code (:mod:`simulations.loop.proof`) into an
:class:`~simulations.loop.adherence_rows.AdherenceRow`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from fleet.adherence_types import ReportStatus
from routing.planning.day_problem import DayConfig
from routing.planning.selection import Selection
from simulations.loop.adherence_rows import AdherenceRow, adherence_row
from simulations.loop.bin_rows import bin_overflow_rows
from simulations.loop.clock import Clock
from simulations.loop.config import LoopConfig
from simulations.loop.demand import Deposits, draw_deposits
from simulations.loop.events import Priority, Simulator
from simulations.loop.execution import DayExecution, Service, execute
from simulations.loop.fill_rows import FillRow, fill_rows
from simulations.loop.km_rows import KmRow, km_row
from simulations.loop.knowledge import Platform
from simulations.loop.planner import RoutePlan, solve_selection
from simulations.loop.policies import DayContext, Strategy
from simulations.loop.proof import DayProof, Prover
from simulations.loop.results import DayRow, PlanRow, RunResult
from simulations.loop.scenario import Scenario
from simulations.loop.sensors import SensorNetwork
from simulations.loop.stop_reports import StopReport, day_reports, report_faults
from simulations.loop.traffic import day_traffic
from simulations.loop.truth import GroundTruth, Ledger


def solver_seed(seed: int, day: int) -> int:
    """The PyVRP seed of a day's solve: the same for every policy facing that day."""
    return (seed * 1_000_003 + day * 7_919) % (2**31 - 1)


@dataclass
class _Day:
    """What happened on one day, gathered until its books close."""

    execution: DayExecution | None = None
    plan: RoutePlan | None = None
    reports: tuple[StopReport, ...] = ()
    fills: list[float] = field(default_factory=list)


class _Run:
    """The state of one run while its events play out."""

    def __init__(
        self, sc: Scenario, cfg: LoopConfig, strategy: Strategy, seed: int, keep: bool = False
    ) -> None:
        self.sc, self.cfg, self.strategy, self.seed, self.keep = sc, cfg, strategy, seed, keep
        self.clock = Clock(start=cfg.start, days=cfg.days, tz=cfg.tz)
        self.deposits: Deposits = draw_deposits(
            sc.capacity_l, sc.activity, self.clock, cfg.calibration, seed
        )
        self.truth = GroundTruth(self.deposits, sc.capacity_l)
        self.sensors = SensorNetwork(sc.n_bins, cfg.days, cfg.sensors, seed)
        self.platform = Platform(
            sc.bins,
            self.sensors.has_sensor,
            self.clock,
            history_days=cfg.history_days,
            driver_step=cfg.sensors.driver_step,
        )
        self.sim = Simulator()
        self.unload_s = DayConfig(tz=cfg.tz).unload_s
        self.ledgers: list[Ledger] = [self.truth.ledger(0.0)]
        self.executions: list[tuple[int, DayExecution]] = []
        self.days: list[DayRow] = []
        self.plans: list[PlanRow] = []
        self.fills: list[FillRow] = []
        self.km: list[KmRow] = []
        self.largest_truck_l = max(t.capacity_l for t in sc.trucks)
        self.adherence: list[AdherenceRow] = []
        self.proofs: list[tuple[int, DayProof]] = []
        self.prover = (
            Prover(sc, self.clock, cfg, seed, self.unload_s) if cfg.proof_of_service else None
        )
        self.today: dict[int, _Day] = {}
        self.work_days = sorted(cfg.work_days)
        shift_start = min(t.shift_start_h for t in sc.trucks)
        self.plan_h = shift_start - cfg.plan_lead_h
        self.mid_h = float(np.mean([(t.shift_start_h + t.shift_end_h) / 2 for t in sc.trucks]))
        rates = cfg.calibration
        self.mean_fill = math.exp(rates.log_mu + rates.log_sigma**2 / 2)

    # --- scheduling ------------------------------------------------------------------------

    def schedule_all(self) -> None:
        end = self.clock.end_h
        step = self.cfg.sensors.interval_h
        for slot in range(int(math.floor(end / step)) + 1):
            if slot * step < end:
                self.sim.schedule(slot * step, Priority.SWEEP, partial(self.sweep, slot))
        work_index = 0
        for day in range(self.cfg.days):
            if self.clock.weekday(day) in self.work_days:
                at = max(self.clock.at(day, self.plan_h), 0.0)
                self.sim.schedule(at, Priority.PLAN, partial(self.plan, day, work_index))
                work_index += 1
            self.sim.schedule(
                self.clock.midnight_h(day + 1), Priority.CLOSE, partial(self.close, day)
            )

    # --- events ----------------------------------------------------------------------------

    def sweep(self, slot: int, t_h: float) -> None:
        level = self.truth.content(t_h) / self.truth.capacity
        self.platform.receive(self.sensors.sweep(slot, t_h, level))

    def _next_work_day(self, day: int) -> int:
        d = day + 1
        while self.clock.weekday(d) not in self.work_days:
            d += 1
        return d

    def context(
        self, day: int, work_index: int, t_h: float, solve: Callable[[Selection], RoutePlan]
    ) -> DayContext:
        """What the policy is told on working ``day`` at ``t_h``."""
        return DayContext(
            day=day,
            work_index=work_index,
            plan_date=self.clock.date_of(day),
            now_h=t_h,
            tz=self.cfg.tz,
            bins=self.sc.bins,
            trucks=self.sc.trucks,
            service_at=self.clock.instant(self.clock.at(day, self.mid_h)),
            next_service_at=self.clock.instant(self.clock.at(self._next_work_day(day), self.mid_h)),
            days_per_work_day=7.0 / len(self.work_days),
            mean_daily_fill=self.mean_fill,
            solve=solve,
        )

    def plan(self, day: int, work_index: int, t_h: float) -> None:
        ctx = self.context(day, work_index, t_h, partial(self._solve, day))
        route_plan = self.strategy.plan(ctx, self.platform)
        traffic = day_traffic(self.seed, day, self.sc.matrix.size, self.sc.n_bins, self.cfg.traffic)
        exe = execute(
            self.sc, self.clock, day, route_plan, traffic, self.truth.content_of, self.unload_s
        )
        faults = report_faults(self.seed, day, self.sc.n_bins, self.cfg.reports)
        reports = day_reports(self.sc, exe, faults)
        today = self.today.setdefault(day, _Day())
        today.execution, today.plan, today.reports = exe, route_plan, reports
        self.executions.append((day, exe))
        told = {r.bin_index: r for r in reports if r.status is ReportStatus.EMPTIED}
        for s in exe.services:
            reported = told.pop(s.bin_index, None) is not None
            self.sim.schedule(s.t_h, Priority.EMPTY, partial(self.empty, day, s, reported))
        for b, r in sorted(told.items()):  # reported emptied but left at shift end
            self.sim.schedule(r.t_h, Priority.EMPTY, partial(self.believe, b))
        self.plans.append(self._plan_row(day, route_plan, exe))

    def _solve(self, day: int, selection: Selection) -> RoutePlan:
        return solve_selection(
            self.sc,
            selection,
            plan_date=self.clock.date_of(day),
            tz=self.cfg.tz,
            budget=self.cfg.budget,
            solver_seed=solver_seed(self.seed, day),
        )

    def empty(self, day: int, service: Service, reported: bool, t_h: float) -> None:
        b = service.bin_index
        litres = self.truth.empty(b, t_h)
        fill = litres / float(self.truth.capacity[b])
        self.today.setdefault(day, _Day()).fills.append(fill)
        if reported:
            self.platform.report_emptied(b, t_h, fill)

    def believe(self, b: int, t_h: float) -> None:
        """A bin wrongly reported emptied: the platform takes the driver's word (and fill)."""
        fill = self.truth.content_of(b, t_h) / float(self.truth.capacity[b])
        self.platform.report_emptied(b, t_h, fill)

    def close(self, day: int, t_h: float) -> None:
        before, after = self.ledgers[-1], self.truth.ledger(t_h)
        self.ledgers.append(after)
        info = self.today.pop(day, _Day())
        trucks = info.execution.trucks if info.execution else ()
        name, param = self.strategy.name, self.strategy.param
        self.fills += fill_rows(name, param, self.seed, day, info.fills)
        self._prove(day, info)
        collected = float((after.collected - before.collected).sum())
        self.km.append(km_row(name, param, self.seed, day, trucks, collected, self.largest_truck_l))
        self.days.append(
            DayRow(
                policy=name,
                param=param,
                seed=self.seed,
                day=day,
                deposited_l=float((after.deposited - before.deposited).sum()),
                collected_l=collected,
                overflow_l=float((after.overflow_l - before.overflow_l).sum()),
                overflow_bin_h=float((after.overflow_h - before.overflow_h).sum()),
                km=sum(t.km for t in trucks),
                drive_h=sum(t.drive_h for t in trucks),
                route_h=sum(t.route_h for t in trucks),
                collections=len(info.fills),
                disposal_trips=sum(t.disposal_trips for t in trucks),
                trucks_used=len(trucks),
                mean_fill_at_emptying=float(np.mean(info.fills)) if info.fills else math.nan,
                co2_kg=sum(t.co2_kg for t in trucks),
            )
        )

    def _prove(self, day: int, info: _Day) -> None:
        """Proof of service of a working day's plan, as the platform computes it."""
        if self.prover is None or info.execution is None or info.plan is None:
            return
        proof = self.prover.day(day, info.plan, info.execution, info.reports)
        key = (self.strategy.name, self.strategy.param, self.seed, day)
        n = len(info.reports)
        self.adherence.append(adherence_row(*key, proof.adherence, self.sc, info.execution, n))
        if self.keep:
            self.proofs.append((day, proof))

    def _plan_row(self, day: int, plan: RoutePlan, exe: DayExecution) -> PlanRow:
        s = plan.solve
        planned = sum(1 for r in plan.routes for x in r.stops if x not in self._site_ids)
        return PlanRow(
            policy=self.strategy.name,
            param=self.strategy.param,
            seed=self.seed,
            day=day,
            solved=s is not None,
            engine=s.engine if s else "",
            solver_seed=s.solver_seed if s else -1,
            max_iterations=s.max_iterations if s else 0,
            max_no_improvement=s.max_no_improvement if s else 0,
            clients=s.clients if s else 0,
            required=s.required if s else 0,
            objective=s.objective if s else 0,
            violations=len(s.violations) if s else 0,
            planned_bins=planned,
            done_bins=len(exe.services),
            not_done_bins=len(exe.not_done),
        )

    @property
    def _site_ids(self) -> set[str]:
        return {s.site_id for s in (*self.sc.depots, *self.sc.disposal_sites)}


def simulate(
    scenario: Scenario,
    config: LoopConfig,
    strategy: Strategy,
    seed: int,
    keep_details: bool = False,
) -> RunResult:
    """Run ``strategy`` on ``scenario`` for ``config.days`` days with ``seed``; with
    ``keep_details`` the per-bin books of every midnight, each day's driving and each working
    day's proof of service are kept.
    Each bin's overflow is summed over the evaluated days (from ``config.warmup_days``)."""
    run = _Run(scenario, config, strategy, seed, keep_details)
    run.schedule_all()
    run.sim.run(until=run.clock.end_h)
    start, end = run.ledgers[config.warmup_days], run.ledgers[-1]
    return RunResult(
        policy=strategy.name,
        param=strategy.param,
        seed=seed,
        days=tuple(run.days),
        plans=tuple(run.plans),
        ledgers=tuple(run.ledgers) if keep_details else (),
        executions=tuple(run.executions) if keep_details else (),
        fills=tuple(run.fills),
        km_legs=tuple(run.km),
        adherence=tuple(run.adherence),
        proofs=tuple(run.proofs),
        bin_overflow=tuple(
            bin_overflow_rows(strategy.name, strategy.param, seed, scenario.bins, start, end)
        ),
    )
