"""The platform policy's setting: required probability and prize scale, as text and back."""

from __future__ import annotations

import pytest

from simulations.loop.clock import Clock
from simulations.loop.policies import make_policy
from simulations.loop.policies.platform_policy import PlatformPolicy
from simulations.loop.scenario import Scenario
from tests.simulations.loop.grid import tiny_config


def test_setting_text_round_trips() -> None:
    """ "0.9" is the required probability alone; "0.97x0.5" adds a prize scale."""
    plain, scaled = PlatformPolicy.from_param("0.9"), PlatformPolicy.from_param("0.97x0.5")
    assert (plain.p_required, plain.prize_scale, plain.param) == (0.9, 1.0, "0.9")
    assert (scaled.p_required, scaled.prize_scale, scaled.param) == (0.97, 0.5, "0.97x0.5")
    for bad in ("abc", "0.9x0", "0.9x-1", "1.5", "0"):
        with pytest.raises(ValueError, match="platform"):
            make_policy("platform", bad)


def test_prize_scale_scales_the_optional_prizes(grid: Scenario) -> None:
    """The same day with prize scale 2 offers the same bins at twice the prizes."""
    from simulations.loop.engine import _Run  # the run's own day context

    cfg = tiny_config()
    seen: dict[str, dict[str, float]] = {}
    for param in ("0.97", "0.97x2"):
        run = _Run(grid, cfg, make_policy("platform", param), seed=3)
        run.schedule_all()
        run.sim.run(until=Clock(start=cfg.start, days=cfg.days, tz=cfg.tz).at(1, 0.0))
        policy = PlatformPolicy.from_param(param)
        captured: dict[str, float] = {}

        def solve(selection, captured=captured):  # noqa: ANN001, ANN202
            captured.update(selection.optional)  # the routes are not needed

        ctx = run.context(1, 1, run.clock.at(1, run.plan_h), solve)
        policy.plan(ctx, run.platform)
        seen[param] = captured
    assert seen["0.97"] and seen["0.97"].keys() == seen["0.97x2"].keys()
    for b, prize in seen["0.97"].items():
        assert seen["0.97x2"][b] == pytest.approx(2 * prize) or prize == 0.05
