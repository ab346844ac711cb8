"""Tests for routing.planning.selection: urgent bins, optional prizes, overrides, unknown ids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.domain import Bin
from forecasting.forecast import FillForecast, ForecastMethod, WeeklyProfile
from routing.planning.selection import Reason, SelectionPolicy, UnknownBin, select_bins

NOW = datetime(2024, 3, 4, 6, tzinfo=UTC)
NEXT = NOW + timedelta(days=1)


def _bin(bin_id: str, capacity_l: float = 100.0) -> Bin:
    return Bin(bin_id, 12.5, 55.7, "Street", "District", capacity_l=capacity_l, threshold=0.8)


def _forecast(bin_id: str, level: float, rate: float, spread: float = 1.0) -> FillForecast:
    """A forecast with a flat profile, consistent crossing times and a rate band x/÷ spread."""

    def cross(r: float) -> datetime | None:
        return NOW + timedelta(hours=max(0.8 - level, 0.0) / r) if r > 0 else None

    return FillForecast(
        bin_id,
        level,
        NOW,
        rate,
        rate / spread,
        rate * spread,
        0.8,
        cross(rate),
        cross(rate * spread),
        cross(rate / spread),
        10,
        1,
        ForecastMethod.BIN_HISTORY,
        WeeklyProfile.flat(),
        "UTC",
    )


def test_urgent_uses_early_side_of_band() -> None:
    """A bin whose mid forecast is after tomorrow but whose early one is before is required."""
    # mid crossing in 30 h, early (rate x 1.5) in 20 h, next opportunity in 24 h
    bins = [_bin("a")]
    sel = select_bins(bins, {"a": _forecast("a", 0.5, 0.01, spread=1.5)}, NOW, NEXT)
    assert sel.required == ("a",) and sel.reasons["a"] is Reason.URGENT
    calm = select_bins(bins, {"a": _forecast("a", 0.5, 0.01, spread=1.1)}, NOW, NEXT)
    assert calm.required == () and calm.reasons["a"] is Reason.OPTIONAL


def test_full_now_and_optional_prize_and_demand() -> None:
    """A full bin is required; an optional bin's prize and demand follow its predicted fill."""
    bins = [_bin("full", 200.0), _bin("half", 100.0), _bin("low")]
    fc = {
        "full": _forecast("full", 0.85, 0.01),
        "half": _forecast("half", 0.5, 0.001),
        "low": _forecast("low", 0.05, 0.001),
    }
    at = NOW + timedelta(hours=10)
    sel = select_bins(bins, fc, at, at + timedelta(days=1), SelectionPolicy(prize_per_litre=2.0))
    assert sel.reasons["full"] is Reason.FULL_NOW and "full" in sel.required
    assert sel.demand_l["half"] == pytest.approx(100.0 * (0.5 + 10 * 0.001))
    assert sel.optional["half"] == pytest.approx(2.0 * sel.demand_l["half"])
    assert sel.reasons["low"] is Reason.NOT_WORTH and "low" not in sel.demand_l


def test_force_include_and_exclude_win() -> None:
    """Planner overrides beat the forecast in both directions."""
    bins = [_bin("full"), _bin("low")]
    fc = {"full": _forecast("full", 0.9, 0.01), "low": _forecast("low", 0.05, 0.001)}
    sel = select_bins(bins, fc, NOW, NEXT, force_include={"low"}, force_exclude={"full"})
    assert sel.required == ("low",)
    assert sel.reasons == {"full": Reason.FORCED_OUT, "low": Reason.FORCED_IN}
    assert "full" not in sel.demand_l


def test_unknown_ids_raise() -> None:
    """An override naming a bin outside the inventory raises UnknownBin."""
    with pytest.raises(UnknownBin, match="ghost"):
        select_bins([_bin("a")], {}, NOW, NEXT, force_include={"ghost"})
    with pytest.raises(LookupError):
        select_bins([_bin("a")], {}, NOW, NEXT, force_exclude={"ghost"})


def test_no_data_policy() -> None:
    """Bins without a forecast are left out by default and required when the policy says so."""
    bins = [_bin("a", 120.0)]
    assert select_bins(bins, {}, NOW, NEXT).required == ()
    sel = select_bins(bins, {}, NOW, NEXT, SelectionPolicy(no_data_required=True))
    assert sel.required == ("a",) and sel.demand_l["a"] == 120.0


def test_bad_window_and_clash_refused() -> None:
    """A next opportunity before service, or a bin forced both ways, is refused."""
    with pytest.raises(ValueError, match="next_opportunity"):
        select_bins([_bin("a")], {}, NOW, NOW)
    with pytest.raises(ValueError, match="both"):
        select_bins([_bin("a")], {}, NOW, NEXT, force_include={"a"}, force_exclude={"a"})
