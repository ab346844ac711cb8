"""When the daily fleet aggregation runs and which days it computes."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from fleet.schedule import days_to_compute, next_run, previous_day
from tests.cities import COPENHAGEN_TZ


def test_next_run_is_the_next_local_hour() -> None:
    """At 02:30 UTC (03:30 local) the next 03:00 local run is tomorrow's, at 02:00 UTC."""
    at = next_run(datetime(2024, 3, 18, 2, 30, tzinfo=UTC), COPENHAGEN_TZ, 3)
    assert at.astimezone(UTC) == datetime(2024, 3, 19, 2, tzinfo=UTC)
    before = next_run(datetime(2024, 3, 18, 1, 59, tzinfo=UTC), COPENHAGEN_TZ, 3)
    assert before.astimezone(UTC) == datetime(2024, 3, 18, 2, tzinfo=UTC)
    with pytest.raises(ValueError):
        next_run(datetime(2024, 3, 18), COPENHAGEN_TZ, 3)


def test_an_hour_inside_a_dst_gap_still_runs_that_day() -> None:
    """02:00 does not exist on the spring-forward night: the run happens at 03:00 instead."""
    at = next_run(datetime(2024, 3, 30, 12, tzinfo=UTC), COPENHAGEN_TZ, 2)
    assert at.astimezone(UTC) == datetime(2024, 3, 31, 1, tzinfo=UTC)


def test_days_to_compute_fills_in_missed_days_within_retention() -> None:
    """Yesterday always; missed earlier days within the lookback and the GPS window only."""
    at = datetime(2024, 3, 19, 2, tzinfo=UTC)
    assert previous_day(at, COPENHAGEN_TZ) == date(2024, 3, 18)
    stored = {date(2024, 3, 16)}
    assert days_to_compute(at, COPENHAGEN_TZ, stored, 3, 30) == [
        date(2024, 3, 15),
        date(2024, 3, 17),
        date(2024, 3, 18),
    ]
    assert days_to_compute(at, COPENHAGEN_TZ, set(), 3, 2) == [date(2024, 3, 18)]
