"""The Birmingham converter: faults reported by line, local time converted, nothing coerced."""

from __future__ import annotations

import pandas as pd

from parking.birmingham import convert

HEADER = ["SystemCodeNumber", "Capacity", "Occupancy", "LastUpdated"]


def _raw(*rows):
    return pd.DataFrame([list(r) for r in rows], columns=HEADER, dtype=str)


def test_faults_are_reported_with_line_numbers():
    """Duplicate, negative and unparsable rows are skipped with their lines; over-capacity is kept
    as a full car park (0 free spaces) and reported."""
    c = convert(
        _raw(
            ("P1", "100", "40", "2016-10-04 08:00:00"),
            ("P1", "100", "40", "2016-10-04 08:00:00"),
            ("P1", "100", "-3", "2016-10-04 08:30:00"),
            ("P1", "100", "120", "2016-10-04 09:00:00"),
            ("P1", "100", "50", "04/10/2016 09:30"),
            ("P1", "100", "60", "2016-10-04 10:00:00"),
        )
    )
    msgs = {e.line: e.message for e in c.errors}
    assert "duplicate of line 2" in msgs[3]
    assert "negative" in msgs[4]
    assert 5 not in msgs
    assert "LastUpdated" in msgs[6]
    assert [(e.line, "exceeds Capacity" in e.message) for e in c.clipped] == [(5, True)]
    assert c.free.tolist() == [60, 0, 40]


def test_uk_local_time_becomes_utc():
    """08:00 British Summer Time is 07:00 UTC; 08:00 in December is 08:00 UTC."""
    c = convert(
        _raw(("P1", "100", "40", "2016-10-04 08:00:00"), ("P1", "100", "40", "2016-12-05 08:00:00"))
    )
    minutes_of_day = (c.t_min % 1440).tolist()
    assert minutes_of_day == [7 * 60, 8 * 60]


def test_site_capacity_is_the_usual_value():
    """A car park's capacity is the value most of its rows report."""
    c = convert(
        _raw(
            ("P1", "100", "1", "2016-10-04 08:00:00"),
            ("P1", "100", "1", "2016-10-04 08:30:00"),
            ("P1", "90", "1", "2016-10-04 09:00:00"),
        )
    )
    assert c.sites[0].capacity == 100 and c.sites[0].kind == "carpark"
