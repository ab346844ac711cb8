"""Plan-job parameters: stored as plain JSON and rebuilt unchanged; progress from step names."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest

from routing.planning.job_params import PLAN_STEPS, PlanJobParams, StepProgress


def test_params_round_trip_through_json() -> None:
    """A re-plan's parameters survive JSON (as in plan_jobs.params) unchanged, its time zone
    offset included."""
    p = PlanJobParams(
        date(2024, 3, 19),
        tz="UTC",
        actor="planner",
        time_limit_s=2,
        engine="pyvrp",
        exclude=("bin-1",),
        replan=True,
        now=datetime(2024, 3, 19, 9, tzinfo=timezone(timedelta(hours=1))),
    )
    back = PlanJobParams.from_json(json.loads(json.dumps(p.to_json())))
    assert back == p and back.kind == "replan"
    assert back.now is not None and back.now.isoformat() == "2024-03-19T09:00:00+01:00"


@pytest.mark.parametrize(
    "bad",
    [{"time_limit_s": 0}, {"actor": ""}, {"now": datetime(2024, 3, 19, 9)}],
)
def test_params_refuse_what_cannot_run(bad: dict[str, object]) -> None:
    """A zero time limit, no actor or a naive re-plan time are refused at construction."""
    kw: dict[str, object] = {"tz": "UTC", "actor": "planner", **bad}
    with pytest.raises(ValueError):
        PlanJobParams(date(2024, 3, 19), **kw)  # type: ignore[arg-type]


def test_step_progress_only_advances_through_the_steps() -> None:
    """Each step moves progress forward; solutions advance it within the solving step."""
    seen: list[float] = []
    sp = StepProgress(PLAN_STEPS, 10.0, lambda f, _: seen.append(f))
    for name in PLAN_STEPS[:4]:
        sp.step(name)
    sp.on_solution("pyvrp", None)
    for name in PLAN_STEPS[4:]:
        sp.step(name)
    assert seen == sorted(seen) and seen[0] >= 0.05 and seen[-1] < 1.0
