"""Collection policies behind one :class:`~simulations.loop.policies.base.Strategy` protocol.

The registry maps a policy name to a constructor from its setting as text (the ``param``
column of the study's output), so a study is a list of (name, setting) pairs.
"""

from __future__ import annotations

from collections.abc import Callable

from simulations.loop.policies.base import DayContext, PlatformView, Strategy
from simulations.loop.policies.fixed import FixedRounds
from simulations.loop.policies.ksoonest import KSoonest
from simulations.loop.policies.platform_policy import PlatformPolicy

REGISTRY: dict[str, Callable[[str], Strategy]] = {
    FixedRounds.name: FixedRounds.from_param,
    KSoonest.name: KSoonest.from_param,
    PlatformPolicy.name: PlatformPolicy.from_param,
}


def make_policy(name: str, param: str) -> Strategy:
    """A fresh policy ``name`` with setting ``param``; ValueError for an unknown name."""
    if name not in REGISTRY:
        raise ValueError(f"unknown policy {name!r}; choose from {sorted(REGISTRY)}.")
    return REGISTRY[name](param)


__all__ = ["REGISTRY", "DayContext", "PlatformView", "Strategy", "make_policy"]
