"""Quota database failures as domain errors: unreachable → 503, anything else → 500."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.exc import SQLAlchemyError

from lightspeed_core.db.health import describe, is_unreachable
from lightspeed_core.errors import BackendUnavailableError, DatabaseUnavailableError, InternalError

log = logging.getLogger(__name__)
UNAVAILABLE_RESPONSE = "Unable to connect to the quota database"
OPERATION_TIMEOUT = 30.0  # seconds; a quota statement never legitimately takes this long


def is_unavailable(error: BaseException) -> bool:
    """Connection refused / dropped / timed out / starting up (not a bad statement)."""
    return is_unreachable(error)


def unavailable(error: BaseException) -> BackendUnavailableError:
    if isinstance(error, DatabaseUnavailableError):
        detail = error.cause.removeprefix("The database cannot be reached: ")
    else:
        detail = describe(error)
    cause = f"The quota database cannot be reached: {detail}"
    return BackendUnavailableError(cause, response=UNAVAILABLE_RESPONSE)


@asynccontextmanager
async def quota_database(what: str) -> AsyncIterator[None]:
    """Run a quota statement with a time limit and map its failures to domain errors."""
    try:
        async with asyncio.timeout(OPERATION_TIMEOUT):
            yield
    except (SQLAlchemyError, OSError, TimeoutError, DatabaseUnavailableError) as error:
        if is_unavailable(error):
            log.debug("quota database unreachable during %s: %s", what, error)
            raise unavailable(error) from error
        log.exception("quota database error during %s", what)
        raise InternalError("Database query failed", f"Failed to {what}.") from error
