"""Is a database reachable? Connection-level failures as one domain error, and a tracker.

* :func:`is_unreachable` tells a connection-level failure (refused, dropped, timed out,
  "the database system is starting up" / shutting down, too many connections) from a bad
  statement. SQLAlchemy wraps asyncpg's errors; their ``sqlstate`` survives the wrapping.
* :class:`DatabaseHealth` is kept by each :class:`~lightspeed_core.db.engine.Database`:
  every transaction reports success or failure to it. It logs **one line per change of
  state** (unreachable → reachable again), never a traceback per request; ``/readiness``
  reads it, and :meth:`DatabaseHealth.require` lets a request fail fast with 503 before it
  calls the model when the database it will write to is away.
"""

from __future__ import annotations

import logging
import sqlite3
import time

import asyncpg
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from lightspeed_core.errors import DatabaseUnavailableError

log = logging.getLogger(__name__)

# SQLSTATEs that mean "this server cannot serve a connection now", not "bad statement":
# class 08 (connection exception), 57P01 admin shutdown, 57P02 crash shutdown,
# 57P03 cannot connect now ("the database system is starting up"), 53300 too many connections
_UNREACHABLE_STATES = ("57P01", "57P02", "57P03", "53300")


def _chain(error: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in seen and len(seen) < 8:
        seen.append(current)
        orig = getattr(current, "orig", None)
        current = orig if isinstance(orig, BaseException) else current.__cause__
    return seen


_SQLITE_UNREACHABLE = ("locked", "unable to open", "disk i/o", "readonly")


def _is_sqlite(error: DBAPIError) -> bool:
    return isinstance(error.orig, sqlite3.Error)


def _sqlite_unreachable(error: DBAPIError) -> bool:
    """SQLite: a busy, missing or unwritable file, not a bad statement."""
    message = str(error.orig).lower()
    return any(marker in message for marker in _SQLITE_UNREACHABLE)


def is_unreachable(error: BaseException) -> bool:
    """Connection refused / dropped / timed out / starting up (not a bad statement)."""
    for link in _chain(error):
        if isinstance(link, DatabaseUnavailableError | OSError | TimeoutError):
            return True
        if isinstance(link, InterfaceError | asyncpg.InterfaceError):  # closed connection, pool
            return True
        if isinstance(link, OperationalError):
            return _sqlite_unreachable(link) if _is_sqlite(link) else True
        if isinstance(link, DBAPIError) and link.connection_invalidated:
            return True
        state = getattr(link, "sqlstate", None) or getattr(link, "pgcode", None)
        if isinstance(state, str) and (state.startswith("08") or state in _UNREACHABLE_STATES):
            return True
    return False


def describe(error: BaseException) -> str:
    """The first line of the driver's message (no SQL, no parameters)."""
    for link in reversed(_chain(error)):
        text = str(link).strip()
        if text:
            return text.splitlines()[0]
    return type(error).__name__


class DatabaseHealth:
    """Reachability of one database, as the last transaction saw it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._reachable = True
        self.cause = ""
        self._since = time.monotonic()

    def failed(self, error: BaseException) -> DatabaseUnavailableError:
        """Record a connection-level failure; return the 503 to raise."""
        self.cause = describe(error)
        if self._reachable:
            self._reachable = False
            self._since = time.monotonic()
            log.warning("database %s unreachable: %s", self.name, self.cause)
        return DatabaseUnavailableError(f"The database cannot be reached: {self.cause}")

    def succeeded(self) -> None:
        """Record a transaction that reached the database."""
        if not self._reachable:
            self._reachable = True
            log.warning("database %s reachable again after %.1f s", self.name, self.down_for)
            self.cause = ""

    @property
    def reachable(self) -> bool:
        """Whether the last transaction reached the database."""
        return self._reachable

    @property
    def down_for(self) -> float:
        """Seconds since the database became unreachable (0 while reachable)."""
        return 0.0 if self.reachable else time.monotonic() - self._since
