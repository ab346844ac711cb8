"""A study's output files as text: its tidy CSV files and ``run.json`` (what the figures were
made with). Pure; the CLI (:mod:`simulations.whatif`) writes them and redraws the report.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from simulations.loop.adherence_rows import ADHERENCE_COLUMNS
from simulations.loop.bin_rows import BIN_OVERFLOW_COLUMNS, PLACE_COLUMNS, bin_places
from simulations.loop.config import LoopConfig
from simulations.loop.fill_rows import FILL_COLUMNS
from simulations.loop.km_rows import KM_COLUMNS
from simulations.loop.results import DAILY_COLUMNS, PlanRow, csv_text
from simulations.loop.scenario import Scenario
from simulations.loop.study import StudyRows
from simulations.loop.tidy import columns_of


def run_meta(
    scenario: Scenario,
    config: LoopConfig,
    name: str,
    seeds: Sequence[int],
    weeks: int,
    settings: Sequence[tuple[str, str]],
) -> dict[str, Any]:
    """What the figures were made with, for ``run.json``."""
    return {
        "config": name,
        "seeds": list(seeds),
        "weeks": weeks,
        "days": config.days,
        "warmup_days": config.warmup_days,
        "start": config.start.isoformat(),
        "tz": config.tz,
        "work_days": list(config.work_days),
        "engine": "pyvrp",
        "budget": asdict(config.budget),
        "sensors": asdict(config.sensors),
        "traffic": asdict(config.traffic),
        "proof_of_service": config.proof_of_service,
        "gps": asdict(config.gps),
        "reports": asdict(config.reports),
        "adherence": config.adherence.to_json(),
        "settings": [list(s) for s in settings],
        "scenario": {
            "bins": scenario.n_bins,
            "trucks": [
                {"id": t.vehicle_id, "capacity_l": t.capacity_l, "depot": t.depot_id}
                for t in scenario.trucks
            ],
            "disposal_sites": [s.site_id for s in scenario.disposal_sites],
        },
    }


def study_files(
    scenario: Scenario, config: LoopConfig, rows: StudyRows, meta: dict[str, Any]
) -> dict[str, str]:
    """File name -> text of every output but the report (``adherence.csv`` only when proof of
    service ran)."""
    files = {
        "daily.csv": csv_text(rows.days, DAILY_COLUMNS),
        "plans.csv": csv_text(rows.plans, columns_of(PlanRow)),
        "fill_at_emptying.csv": csv_text(rows.fills, FILL_COLUMNS),
        "km_legs.csv": csv_text(rows.km_legs, KM_COLUMNS),
        "bins.csv": csv_text(bin_places(scenario.bins), PLACE_COLUMNS),
        "overflow_bins.csv": csv_text(rows.bin_overflow, BIN_OVERFLOW_COLUMNS),
        "run.json": json.dumps(meta, indent=2) + "\n",
    }
    if config.proof_of_service:
        files["adherence.csv"] = csv_text(rows.adherence, ADHERENCE_COLUMNS)
    return files
