"""Quota database failures as domain errors: unreachable → 503, anything else → 500."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError

from lightspeed_core.errors import BackendUnavailableError, InternalError

log = logging.getLogger(__name__)
UNAVAILABLE_RESPONSE = "Unable to connect to the quota database"
OPERATION_TIMEOUT = 30.0  # seconds; a quota statement never legitimately takes this long


def is_unavailable(error: BaseException) -> bool:
    """Connection refused / dropped / timed out (as opposed to a bad statement)."""
    if isinstance(error, OperationalError | InterfaceError | OSError | TimeoutError):
        return True
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


def unavailable(error: BaseException) -> BackendUnavailableError:
    detail = str(getattr(error, "orig", None) or error).splitlines()[0] if str(error) else ""
    cause = f"The quota database cannot be reached: {detail or type(error).__name__}"
    return BackendUnavailableError(cause, response=UNAVAILABLE_RESPONSE)


@asynccontextmanager
async def quota_database(what: str) -> AsyncIterator[None]:
    """Run a quota statement with a time limit and map its failures to domain errors."""
    try:
        async with asyncio.timeout(OPERATION_TIMEOUT):
            yield
    except (SQLAlchemyError, OSError, TimeoutError) as error:
        if is_unavailable(error):
            log.warning("quota database unreachable during %s: %s", what, error)
            raise unavailable(error) from error
        log.exception("quota database error during %s", what)
        raise InternalError("Database query failed", f"Failed to {what}.") from error
