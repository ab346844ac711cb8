"""Tests for forecasting.edinburgh: parsing, odd values, censoring, missing columns."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forecasting.edinburgh import EdinburghFormatError, load_collections, parse_rows

HEADER = (
    "site_id,site_name,address,city,content,collected_at_local,fill_before_pct,"
    "fill_after_pct,volume_l,weight_kg,partial,confidence\n"
)


def _row(
    site: str = "1", at: str = "2016-06-10T07:42:32", before: str = "62", after: str = "0"
) -> dict[str, str]:
    return {
        "site_id": site,
        "site_name": "n",
        "address": "York Place",
        "collected_at_local": at,
        "fill_before_pct": before,
        "fill_after_pct": after,
        "volume_l": "298.65",
        "weight_kg": "20.91",
    }


def test_load_file_and_levels(tmp_path: Path) -> None:
    """A CSV row becomes an event in London time with physical levels at 80 % of the mark."""
    p = tmp_path / "e.csv"
    p.write_text(
        HEADER + "7,York,York Place,Edinburgh,Mixed,2016-06-10T07:42:32,50,0,"
        "298.65,20.91,False,100\n"
    )
    (e,) = load_collections(p).events
    assert e.site_id == "7" and str(e.collected_at.utcoffset()) == "1:00:00"
    assert e.level_before == pytest.approx(0.4) and not e.censored


def test_odd_values_clipped_flagged_or_skipped() -> None:
    """Over 100 is clipped and censored; negative or non-numeric rows are skipped and counted."""
    rep = parse_rows(
        [
            _row(before="130"),
            _row(before="-5"),
            _row(before="x"),
            _row(at="yesterday"),
            _row(after=""),
        ]
    )
    assert len(rep.events) == 1
    assert rep.events[0].fill_before_pct == 100.0 and rep.events[0].censored
    assert rep.skipped == {"bad_fill_before": 2, "bad_timestamp": 1, "bad_fill_after": 1}


def test_missing_column_is_an_error(tmp_path: Path) -> None:
    """A file without the required columns raises EdinburghFormatError."""
    p = tmp_path / "bad.csv"
    p.write_text("site_id,when\n1,2016\n")
    with pytest.raises(EdinburghFormatError, match="fill_before_pct"):
        load_collections(p)


@given(before=st.floats(allow_nan=True, allow_infinity=True), after=st.floats(0, 100))
def test_parser_never_returns_out_of_range(before: float, after: float) -> None:
    """Whatever the fill values, an accepted event lies on the 0-100 scale with after <= before."""
    rep = parse_rows([_row(before=repr(before), after=repr(after))])
    for e in rep.events:
        assert 0.0 <= e.fill_after_pct <= e.fill_before_pct <= 100.0
