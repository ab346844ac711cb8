"""Bin selection for one planning day: which bins must, may or must not be emptied.

Pure. A bin is *required* when the early (pessimistic) side of its forecast band reaches the
threshold before the next planning opportunity, so the overflow risk is that of the band's upper
rate quantile. Other bins with a forecast are *optional*, with a prize proportional to their
predicted fill at service time (the VRP collects it if the detour is cheap). Planner overrides
win over the forecast; an override naming an unknown bin raises :class:`UnknownBin`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from core.domain import Bin, UnknownBin
from forecasting.forecast import FillForecast


class Reason(StrEnum):
    """Why a bin is (or is not) in the plan."""

    FORCED_IN = "forced_in"
    FORCED_OUT = "forced_out"
    FULL_NOW = "full_now"  # already at or over its threshold
    URGENT = "urgent"  # early forecast crosses the threshold before the next opportunity
    OPTIONAL = "optional"  # worth a detour: prize ~ predicted fill
    NOT_WORTH = "not_worth"  # predicted fill at service below min_optional_fill
    NO_DATA = "no_data"  # no forecast: handled by ``no_data_required``


@dataclass(frozen=True, slots=True)
class SelectionPolicy:
    """How forecasts become a selection."""

    prize_per_litre: float = 1.0  # prize = this x predicted litres at service time
    min_optional_fill: float = 0.3  # below this predicted fillingLevel a bin is not offered
    no_data_required: bool = False  # bins without any reading: required (True) or left out

    def __post_init__(self) -> None:
        if self.prize_per_litre <= 0:
            raise ValueError("prize_per_litre must be positive.")
        if not 0.0 <= self.min_optional_fill <= 1.0:
            raise ValueError("min_optional_fill must be in [0, 1].")


@dataclass(frozen=True, slots=True)
class Selection:
    """Bins for the VRP model builder: mandatory visits, prize-collecting visits, demands."""

    required: tuple[str, ...]
    optional: Mapping[str, float]  # bin id -> prize
    reasons: Mapping[str, Reason]  # every inventory bin
    demand_l: Mapping[str, float]  # predicted litres at service, for required and optional bins

    @property
    def visited_candidates(self) -> tuple[str, ...]:
        """Required then optional ids, the nodes the VRP needs."""
        return self.required + tuple(self.optional)


def _check_known(ids: Collection[str], inventory: Mapping[str, Bin], what: str) -> None:
    unknown = sorted(set(ids) - inventory.keys())
    if unknown:
        raise UnknownBin(f"{what} names unknown bin ids: {', '.join(unknown)}")


def select_bins(
    bins: Sequence[Bin],
    forecasts: Mapping[str, FillForecast],
    service_at: datetime,
    next_opportunity: datetime,
    policy: SelectionPolicy | None = None,
    force_include: Collection[str] = (),
    force_exclude: Collection[str] = (),
) -> Selection:
    """Select bins for the route served around ``service_at``.

    ``next_opportunity`` is when the next route could empty the bin (e.g. tomorrow's start);
    a bin whose early threshold crossing is before it is required. Forecasts missing from
    ``forecasts`` count as no data.
    """
    if next_opportunity <= service_at:
        raise ValueError("next_opportunity must be after service_at.")
    pol = policy or SelectionPolicy()
    inventory = {b.bin_id: b for b in bins}
    _check_known(force_include, inventory, "force_include")
    _check_known(force_exclude, inventory, "force_exclude")
    clash = sorted(set(force_include) & set(force_exclude))
    if clash:
        raise ValueError(f"bins both forced in and out: {', '.join(clash)}")
    _check_known(forecasts.keys(), inventory, "forecasts")

    required: list[str] = []
    optional: dict[str, float] = {}
    reasons: dict[str, Reason] = {}
    demand: dict[str, float] = {}
    for b in bins:
        f = forecasts.get(b.bin_id)
        level = None if f is None else f.level_at(service_at)
        litres = b.capacity_l * (1.0 if level is None else level)
        if b.bin_id in force_exclude:
            reasons[b.bin_id] = Reason.FORCED_OUT
            continue
        if b.bin_id in force_include:
            reason = Reason.FORCED_IN
        elif level is None or f is None:
            reason = Reason.NO_DATA
        elif f.level_now is not None and f.level_now >= b.threshold:
            reason = Reason.FULL_NOW
        elif f.full_at_early is not None and f.full_at_early < next_opportunity:
            reason = Reason.URGENT
        elif level >= pol.min_optional_fill:
            reason = Reason.OPTIONAL
        else:
            reason = Reason.NOT_WORTH
        reasons[b.bin_id] = reason
        if reason in (Reason.FORCED_IN, Reason.FULL_NOW, Reason.URGENT) or (
            reason is Reason.NO_DATA and pol.no_data_required
        ):
            required.append(b.bin_id)
            demand[b.bin_id] = litres
        elif reason is Reason.OPTIONAL:
            optional[b.bin_id] = pol.prize_per_litre * litres
            demand[b.bin_id] = litres
    return Selection(tuple(required), optional, reasons, demand)
