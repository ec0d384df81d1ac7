"""The one place where domain errors become HTTP responses.

* :class:`~lightspeed_core.errors.LightspeedError` → its status, body
  ``{"detail": {"response": ..., "cause": ...}}`` and headers (``WWW-Authenticate`` ...).
* :class:`~lightspeed_core.errors.PlainDetailError` → ``{"detail": "<string>"}``.
* Request-schema errors keep FastAPI's 422 list shape (the reference's e2e tests assert it).
* :class:`~lightspeed_core.errors.DatabaseUnavailableError` (503) is not logged here: the
  database's health tracker logs each outage once.
* Anything else is caught by :class:`GlobalExceptionMiddleware` → 500, logged, no traceback
  in the body, unless the response already started.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lightspeed_core.errors import DatabaseUnavailableError, LightspeedError, PlainDetailError

log = logging.getLogger(__name__)

INTERNAL_ERROR_BODY = {
    "detail": {
        "response": "Internal server error",
        "cause": "An unexpected error occurred while processing the request.",
    }
}


def error_response(error: LightspeedError) -> JSONResponse:
    body = {"detail": {"response": error.response, "cause": error.cause}}
    return JSONResponse(body, status_code=error.status_code, headers=error.headers or None)


async def _domain_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, LightspeedError)
    if exc.status_code >= 500 and not isinstance(exc, DatabaseUnavailableError):
        # a database outage is logged once per change of state (db/health.py)
        log.warning("request failed: %s: %s", exc.response, exc.cause)
    return error_response(exc)


async def _plain_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, PlainDetailError)
    return JSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers or None)


def install_exception_handlers(app: FastAPI) -> None:
    app.add_exception_handler(LightspeedError, _domain_error)
    app.add_exception_handler(PlainDetailError, _plain_error)


class GlobalExceptionMiddleware:
    """Pure ASGI: an uncaught exception becomes the contract's 500 body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception:
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            response = JSONResponse(INTERNAL_ERROR_BODY, status_code=500)
            await response(scope, receive, send)
