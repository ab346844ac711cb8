"""Unit: error classes, batch bisection and bounded back-off of :mod:`ingest.resilience`."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import asyncpg
import pytest
from asyncpg.exceptions._base import DataError as ClientDataError

from core.db.ingest_tables import WriteResult
from ingest.resilience import Backoff, is_row_error, is_unreachable, write_isolating


@pytest.mark.parametrize(
    ("exc", "unreachable", "row"),
    [
        (ConnectionRefusedError(), True, False),
        (TimeoutError(), True, False),
        (asyncpg.CannotConnectNowError("starting up"), True, False),
        (asyncpg.AdminShutdownError("terminating"), True, False),
        (asyncpg.ConnectionDoesNotExistError("closed"), True, False),
        (asyncpg.TooManyConnectionsError("full"), True, False),
        (asyncpg.DeadlockDetectedError("deadlock"), True, False),
        (asyncpg.InterfaceError("connection is closed"), True, False),
        (asyncpg.NumericValueOutOfRangeError("out of range"), False, True),
        (asyncpg.CheckViolationError("check"), False, True),
        (asyncpg.CharacterNotInRepertoireError("nul"), False, True),
        (ClientDataError("invalid input for query argument $3"), False, True),
        (OverflowError("value out of int32 range"), False, True),
        (asyncpg.UndefinedTableError("no such table"), False, False),
        (RuntimeError("bug"), False, False),
    ],
)
def test_errors_are_classified(exc, unreachable, row):
    """Outages wait, refused data is dead-lettered, anything else is neither."""
    assert is_unreachable(exc) is unreachable
    assert is_row_error(exc) is row


class FakeWriter:
    """Refuses any batch holding a row in ``bad``; raises ``outage`` on the first ``down`` calls."""

    def __init__(self, bad: set[int], error: Exception | None = None, down: int = 0) -> None:
        self.bad, self.error, self.down = bad, error, down
        self.stored: list[int] = []
        self.calls = 0

    async def write(self, rows: Sequence[tuple[object, ...]]) -> WriteResult:
        self.calls += 1
        if self.down:
            self.down -= 1
            raise ConnectionResetError("server closed the connection")
        ids = [int(str(r[0])) for r in rows]
        if self.bad & set(ids):
            raise self.error or OverflowError("value out of int32 range")
        self.stored.extend(ids)
        return WriteResult(stored=list(range(len(rows))))


def _rows(n: int) -> list[tuple[object, ...]]:
    return [(i,) for i in range(n)]


@pytest.mark.parametrize("bad", [set(), {0}, {999}, {3, 500, 501, 998}])
def test_bisection_isolates_exactly_the_bad_rows(bad):
    """Every good row is stored once, every bad row is rejected with the database's reason."""
    w = FakeWriter(bad)
    out = asyncio.run(write_isolating(w.write, _rows(1000)))
    assert sorted(w.stored) == [i for i in range(1000) if i not in bad]
    assert out.result.stored == sorted(w.stored)
    assert [i for i, _ in out.rejected] == sorted(bad)
    assert all("OverflowError" in why for _, why in out.rejected)
    assert w.calls <= 1 + 2 * max(1, len(bad)) * 11  # logarithmic, not one write per row


def test_an_outage_is_not_mistaken_for_bad_data():
    """A connection error propagates (the caller retries) instead of rejecting rows."""
    with pytest.raises(ConnectionResetError):
        asyncio.run(write_isolating(FakeWriter(set(), down=1).write, _rows(10)))


def test_a_systemic_error_is_not_blamed_on_one_row():
    """If even a single row fails with a non-data error, nothing is rejected: it propagates."""
    w = FakeWriter(set(range(10)), error=asyncpg.UndefinedTableError("relation missing"))
    with pytest.raises(asyncpg.UndefinedTableError):
        asyncio.run(write_isolating(w.write, _rows(10)))


def test_backoff_is_bounded_and_resets():
    """Delays double up to the bound; a success starts over from the first delay."""
    slept: list[float] = []
    b = Backoff(first_s=0.5, max_s=4.0, sleep=slept.append)
    for _ in range(6):
        b.wait("PostgreSQL", ConnectionRefusedError())
    assert slept == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert b.waiting_for == "PostgreSQL"
    b.reset()
    assert b.waiting_for is None
    b.wait("PostgreSQL", ConnectionRefusedError())
    assert slept[-1] == 0.5
    with pytest.raises(ValueError):
        Backoff(first_s=0)
