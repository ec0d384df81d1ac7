"""Sentry error reporting and request traces, on when ``SENTRY_DSN`` is set (as the reference).

Each worker process initialises the SDK in the application's lifespan and flushes it on
shutdown. Errors are reported through the SDK's logging integration (an unhandled error is
logged by ``GlobalExceptionMiddleware``); request traces are sampled at
``SENTRY_TRACES_SAMPLE_RATE`` (default 0.25, the reference's rate), never for the probe and
scrape routes ``/readiness``, ``/liveness``, ``/metrics`` and ``/``. ``SENTRY_ENVIRONMENT``
tags every event (default ``development``); ``SENTRY_CA_CERTS`` is a CA bundle for a Sentry
server with a private certificate. Only the request integrations (Starlette, FastAPI) and the
SDK's defaults run. Off (no DSN), nothing is imported or patched.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

log = logging.getLogger(__name__)
TRACES_SAMPLE_RATE = 0.25
UNTRACED_PATHS = frozenset({"/readiness", "/liveness", "/metrics", "/"})


def traces_sampler(rate: float, root_path: str = "") -> Callable[[Mapping[str, Any]], float]:
    """The sampling decision for one request: ``rate``, or 0 for the untraced routes."""

    def sample(context: Mapping[str, Any]) -> float:
        scope = context.get("asgi_scope") or {}
        path = str(scope.get("path", ""))
        if root_path and path.startswith(root_path):
            path = path[len(root_path) :] or "/"
        return 0.0 if path in UNTRACED_PATHS else rate

    return sample


def init_sentry(
    dsn: str | None,
    environment: str,
    ca_certs: str | None = None,
    traces_sample_rate: float = TRACES_SAMPLE_RATE,
    root_path: str = "",
) -> bool:
    """Initialise the SDK for this process when ``dsn`` is set; returns whether it did."""
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.fastapi import FastApiIntegration
    from sentry_sdk.integrations.starlette import StarletteIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        ca_certs=ca_certs,
        traces_sampler=traces_sampler(traces_sample_rate, root_path),
        # the request integrations only: the auto-enabled ones (httpx, SQLAlchemy, OpenAI,
        # MCP ...) instrument every call inside a request, sampled or not (bench.sentry_overhead)
        auto_enabling_integrations=False,
        integrations=[StarletteIntegration(), FastApiIntegration()],
    )
    log.info("Sentry enabled (environment %s)", environment)
    return True


def flush_sentry(timeout: float = 2.0) -> None:
    """Send what is queued (at shutdown); nothing when Sentry is off."""
    import sys

    sdk = sys.modules.get("sentry_sdk")
    if sdk is not None and sdk.is_initialized():
        sdk.flush(timeout=timeout)
