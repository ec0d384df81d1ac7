"""Pure-ASGI middleware counting REST calls per route template, once per call.

The path label is the matched route's template (``/v1/conversations/{conversation_id}``),
read from ``scope["route"]`` which the router fills in, so label cardinality stays bounded;
unmatched paths and ``/metrics`` are not counted. The duration of a streaming response
covers the whole stream.
"""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lightspeed_core.metrics.registry import Metrics

_SKIPPED = frozenset({"/metrics"})


def _template(scope: Scope) -> str | None:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) and path not in _SKIPPED else None


class RestMetricsMiddleware:
    """Records ``ls_rest_api_calls_total`` and ``ls_response_duration_seconds``."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        recorded = False

        def record() -> None:
            nonlocal recorded
            if recorded:
                return
            recorded = True
            template = _template(scope)
            if template is not None:
                calls, duration = self.metrics.rest_children(template, str(status))
                calls.inc()
                duration.observe(time.perf_counter() - started)

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                record()

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            record()
