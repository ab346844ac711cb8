"""The main job's run over ``--days`` consecutive days, closing the loop on the real pipeline.

Register the city; start one consumer process per topic; publish the bins' fill history up to
the first plan and the parking counts, wait until they are stored and train the parking model;
start the API; then day after day (:func:`simulations.day_drive.run_day`): plan from what was
ingested, drive, publish, report through the API, check. At the end: stop the consumers,
reconcile every topic (produced = stored + dead-lettered) and serve.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from core.districts import Districts
from core.embedded import Endpoints
from core.settings import Settings
from ingest import kafka_io
from routing.network.graph import RoadNetwork
from simulations.city import City
from simulations.day_api import ApiThread, print_demo_users
from simulations.day_drive import CityRun, DayOutcome, RunOptions, run_day
from simulations.day_ingest import (
    read_baseline,
    register,
    start_consumers,
    stop_consumers,
    summarise,
    wait_ingested,
)
from simulations.day_outputs import train_parking
from simulations.day_publish import Streams
from simulations.day_scenario import DayScenario, console
from simulations.parking_sim import SimSite


@dataclass(frozen=True)
class RunResult:
    """Whether every topic reconciled, and each day's outcome."""

    reconciled: bool
    days: tuple[DayOutcome, ...]


def run_city(
    ep: Endpoints,
    settings: Settings,
    net: RoadNetwork,
    city: City,
    parking: list[SimSite],
    districts: Districts,
    scenario: DayScenario,
    options: RunOptions,
) -> RunResult:
    """Run ``scenario`` on the broker and database of ``ep`` (see the module docstring)."""
    t_start = time.monotonic()
    asyncio.run(register(ep.database_url, city, parking, settings.city_profile()))
    console.log(
        f"road network {net.n_nodes:,} nodes; {len(city.bins)} bins,"
        f" {len(city.vehicles)} vehicles, {len(parking)} parking sites registered"
    )
    topics = [settings.topic_fill, settings.topic_gps, settings.topic_parking]
    kafka_io.ensure_topics(
        ep.kafka_bootstrap_servers,
        [*topics, settings.topic_dead_letter],
        settings.topic_partitions,
        settings.topic_replication,
    )
    base = read_baseline(ep, settings)  # a persisted store's earlier runs (--persist)
    if base.committed:
        console.log(f"continuing a persisted store: {base.committed} offsets already committed")
    consumers = start_consumers(ep, settings)
    streams = Streams(settings, ep.kafka_bootstrap_servers, scenario, options.speedup)
    run = CityRun(ep, settings, net, city, districts, scenario, options, streams)
    run.committed_before = base.committed
    days: list[DayOutcome] = []
    try:
        run.levels = streams.history(city, run.plan_time(0))
        streams.parking(parking)
        streams.flush()
        wait_ingested(ep, settings, run.sent(), before=base.committed)
        console.log(f"history ingested in {time.monotonic() - t_start:.0f} s")
        if options.parking_model:
            train_parking(ep, settings, scenario)
        with ApiThread(settings, ep.database_url, options.port) as api:
            run.api = api
            for d in range(scenario.days):
                days.append(run_day(run, d))
            stats = stop_consumers(consumers)
            streams.close()
            ok = summarise(settings, ep, streams.pub, stats, base)
            console.log(
                f"{scenario.days} day(s) run in {time.monotonic() - t_start:.0f} s;"
                f" reconciled: {'yes' if ok else 'NO'}"
            )
            if options.serve_seconds != 0:
                print_demo_users(api.base_url, run.users or api.drivers(3))
                api.serve(options.serve_seconds)
    finally:
        for proc in consumers.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return RunResult(ok, tuple(days))
