"""Pooled PostgreSQL connections are pinged at checkout only after sitting idle.

SQLAlchemy's ``pool_pre_ping`` pings on every checkout, and its asyncpg ping is three round
trips (``BEGIN``, ``;``, ``ROLLBACK``: it supports pgbouncer's transaction mode). A request
checks connections out about four times (its reads, the turn's batch, the cache entry), so
under load that was a dozen round trips per request that never found a broken connection:
0.2-0.3 ms of service CPU per request (``bench/scaling.py``, ``lib-w1`` / ``lib-w2`` at c16,
with and without the ping).

:func:`ping_when_idle` keeps the protection where it matters. A connection used less than
:data:`IDLE_PING` seconds ago is handed out as it is. One idle for longer is pinged, and one
that fails the ping is replaced: SQLAlchemy's ``DisconnectionError`` protocol, up to three
new connections. After a server restart every pooled connection has sat idle for at least
the restart's duration, so it is pinged. A connection whose close the client has already
seen (the server or a proxy closed it: asyncpg marks it closed) is replaced at once, without a
round trip. Only a connection that broke silently within the last :data:`IDLE_PING` seconds
fails its transaction's first statement: that request gets the 503 of any outage, and
SQLAlchemy drops every connection opened before it.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine

IDLE_PING = 1.0  # seconds a pooled connection may sit idle and still be handed out unchecked
_IDLE_SINCE = "lightspeed_idle_since"


def ping_when_idle(engine: AsyncEngine) -> None:
    """Ping ``engine``'s pooled connections at checkout when they sat idle.

    Use it instead of ``pool_pre_ping``.
    """
    event.listen(engine.sync_engine, "checkin", _checked_in)
    event.listen(engine.sync_engine, "checkout", _checked_out)


def _checked_in(dbapi_connection: Any, record: Any) -> None:
    if dbapi_connection is not None:
        record.info[_IDLE_SINCE] = time.monotonic()


def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    driver = getattr(dbapi_connection, "_connection", None)  # the asyncpg connection
    if driver is not None and driver.is_closed():  # the server (or the network) closed it
        raise DisconnectionError("pooled connection was closed while idle")
    since = record.info.get(_IDLE_SINCE)
    if since is None or time.monotonic() - since < IDLE_PING:
        return  # a new connection, or one in use a moment ago
    try:
        dbapi_connection.ping()
    except Exception as error:
        raise DisconnectionError(f"pooled connection failed its ping: {error}") from error
