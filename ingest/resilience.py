"""How a consumer survives faults: which errors mean "wait", which mean "this row is bad".

- :func:`is_unreachable`: the database (or the network to it) is down, restarting or out of
  resources; the batch is fine and must be retried later, its offsets not committed.
- :func:`is_row_error`: the database refused the *data* (a value its column cannot hold, a
  broken constraint, bytes it cannot encode); the rows that cause it are dead-lettered.
- :func:`write_isolating` splits a rejected batch in halves until the offending rows are alone,
  so one poison message never takes its neighbours down with it.
- :class:`Backoff`: bounded exponential delays while a dependency is unreachable.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import asyncpg
from asyncpg.exceptions._base import DataError as ClientDataError

from core.db.ingest_tables import WriteResult

log = logging.getLogger(__name__)

# SQLSTATE classes: 08 connection exception, 53 insufficient resources, 57 operator intervention
# (admin shutdown, cannot connect now), 58 system error, 40 transaction rollback (serialisation
# failure, deadlock: retrying the same batch succeeds).
_TRANSIENT_CLASSES = frozenset({"08", "40", "53", "57", "58"})
# 22 data exception (out of range, invalid text), 23 integrity constraint violation.
_ROW_CLASSES = frozenset({"22", "23"})
_CLIENT_ROW_ERRORS = (OverflowError, ValueError, TypeError, UnicodeError)


def is_unreachable(exc: BaseException) -> bool:
    """True if ``exc`` says the database cannot be used right now (retry, do not reject)."""
    if isinstance(exc, ClientDataError):  # a value the client cannot encode for its column
        return False
    if isinstance(exc, asyncpg.PostgresError):
        return str(getattr(exc, "sqlstate", "") or "")[:2] in _TRANSIENT_CLASSES
    return isinstance(exc, OSError | asyncio.TimeoutError | asyncpg.InterfaceError)


def is_row_error(exc: BaseException) -> bool:
    """True if ``exc`` is the database (or its client library) refusing the data itself."""
    if isinstance(exc, ClientDataError):
        return True
    if isinstance(exc, asyncpg.PostgresError):
        return str(getattr(exc, "sqlstate", "") or "")[:2] in _ROW_CLASSES
    if isinstance(exc, asyncpg.InterfaceError):
        return False
    return isinstance(exc, _CLIENT_ROW_ERRORS)


def describe(exc: BaseException) -> str:
    """A one-line, bounded description of a database error (no row values beyond the DB's)."""
    text = f"{type(exc).__name__}: {exc}".replace("\n", " ")
    return text[:300]


@dataclass
class Isolated:
    """The outcome of :func:`write_isolating`: rows stored or duplicates, and rows rejected."""

    result: WriteResult = field(default_factory=WriteResult)
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (row index, reason detail)


Write = Callable[[Sequence[tuple[object, ...]]], Awaitable[WriteResult]]


async def write_isolating(write: Write, rows: Sequence[tuple[object, ...]]) -> Isolated:
    """Store ``rows`` with ``write``; if the database rejects them, bisect to the bad rows.

    Each half is its own transaction, so the good rows of a rejected batch are stored. Errors
    that are not about the data (:func:`is_unreachable`, or a systemic failure that a single
    row still raises) propagate: the caller retries the whole batch, and rows stored by an
    earlier half are recognised by their source offsets, so nothing is stored twice.
    """
    out = Isolated()
    await _write_range(write, rows, 0, len(rows), out)
    out.result.stored.sort()
    out.result.duplicates.sort()
    out.rejected.sort()
    return out


async def _write_range(
    write: Write, rows: Sequence[tuple[object, ...]], lo: int, hi: int, out: Isolated
) -> None:
    if lo >= hi:
        return
    try:
        part = await write(rows[lo:hi])
    except Exception as e:
        if is_unreachable(e):
            raise
        if hi - lo == 1:
            if not is_row_error(e):
                raise  # one row and still not a data error: the database itself is broken
            out.rejected.append((lo, describe(e)))
            return
        mid = (lo + hi) // 2
        await _write_range(write, rows, lo, mid, out)
        await _write_range(write, rows, mid, hi, out)
        return
    out.result.stored.extend(lo + i for i in part.stored)
    out.result.duplicates.extend(lo + i for i in part.duplicates)


class Backoff:
    """Bounded exponential back-off that reports the state once per change and per minute."""

    def __init__(
        self,
        first_s: float = 0.5,
        max_s: float = 10.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not 0 < first_s <= max_s:
            raise ValueError("need 0 < first_s <= max_s")
        self.first_s, self.max_s, self._sleep = first_s, max_s, sleep
        self.delay_s = 0.0
        self.waiting_for: str | None = None
        self.since = 0.0
        self._reported = 0.0

    def wait(self, what: str, exc: BaseException) -> float:
        """Sleep before the next attempt at ``what``; returns the delay slept."""
        now = time.monotonic()
        if self.waiting_for != what:
            self.waiting_for, self.since, self._reported = what, now, 0.0
        self.delay_s = min(self.max_s, self.delay_s * 2 if self.delay_s else self.first_s)
        if now - self._reported >= 60 or self._reported == 0.0:
            log.warning(
                "%s unreachable for %.0f s (%s); retrying every %.1f s, offsets not committed",
                what,
                now - self.since,
                describe(exc),
                self.delay_s,
            )
            self._reported = now
        self._sleep(self.delay_s)
        return self.delay_s

    def reset(self) -> None:
        if self.waiting_for is not None:
            log.warning(
                "%s reachable again after %.0f s", self.waiting_for, time.monotonic() - self.since
            )
        self.delay_s, self.waiting_for = 0.0, None
