"""What differs between SQLite and PostgreSQL, in one place.

Queries are written once, as SQLAlchemy Core; these helpers cover the few points where the
engines differ:

* :func:`insert_for` - the ``INSERT`` that supports ``ON CONFLICT DO UPDATE/NOTHING``
  (upserts) on the engine in use;
* :func:`fast_commit` - on PostgreSQL, do not wait for the WAL flush for this transaction
  (``synchronous_commit = off``): a crash may lose its last instant, each transaction
  entirely, in exchange for not paying an fsync on every request;
* :func:`for_update` - lock the selected rows on PostgreSQL (SQLite locks the database);
* :func:`as_utc` - SQLite returns naive datetimes (we write UTC); PostgreSQL aware ones.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, overload

from sqlalchemy import Connection, Select, text
from sqlalchemy.dialects import postgresql, sqlite

POSTGRESQL = "postgresql"


def insert_for(dialect: str) -> Callable[[Any], Any]:
    """``insert(table)`` with ``on_conflict_do_update`` / ``on_conflict_do_nothing``."""
    module: Any = postgresql if dialect == POSTGRESQL else sqlite
    insert: Callable[[Any], Any] = module.insert
    return insert


def fast_commit(connection: Connection) -> None:
    """On PostgreSQL, commit this transaction without waiting for the WAL flush."""
    if connection.dialect.name == POSTGRESQL:
        connection.execute(text("SET LOCAL synchronous_commit TO OFF"))


def for_update[T: Select[Any]](query: T, connection: Connection) -> T:
    """``SELECT ... FOR UPDATE`` on PostgreSQL; unchanged on SQLite."""
    return query.with_for_update() if connection.dialect.name == POSTGRESQL else query


@overload
def as_utc(moment: datetime) -> datetime: ...


@overload
def as_utc(moment: None) -> None: ...


def as_utc(moment: datetime | None) -> datetime | None:
    """A naive timestamp (SQLite) read as UTC; aware ones and ``None`` unchanged."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)
