"""Local stand-ins for the outside services of observability, for tests and benchmarks.

:class:`OtlpReceiver` is an OTLP/HTTP trace collector that decodes what it gets
(``POST /v1/traces``, protobuf); :class:`HecReceiver` a Splunk HTTP Event Collector
(``POST /services/collector/event``) that can be slow or fail. Each runs in a daemon
thread with its own event loop on 127.0.0.1 (:class:`ThreadServer`).
"""

from __future__ import annotations

import asyncio
import gzip
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


class ThreadServer:
    """An ASGI app served by uvicorn in a daemon thread."""

    def __init__(self, app: Any, name: str) -> None:
        config = uvicorn.Config(
            app, host="127.0.0.1", port=0, log_level="warning", lifespan="off", access_log=False
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True, name=name)

    @property
    def origin(self) -> str:
        port = self._server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"{self._thread.name} did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=5)


def wait_until(condition: Callable[[], bool], timeout: float = 15.0) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` passes (returns the last result)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


async def eventually(condition: Callable[[], bool], patience: float = 15.0) -> bool:
    """:func:`wait_until` for code on an event loop (the loop keeps running while it waits)."""
    deadline = time.monotonic() + patience
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.02)
    return True


@dataclass(frozen=True)
class ReceivedSpan:
    """One decoded span."""

    name: str
    trace_id: str
    span_id: str
    parent_span_id: str
    kind: int
    status_code: int
    attributes: dict[str, Any]
    events: tuple[str, ...]
    resource: dict[str, Any] = field(default_factory=dict)


def _value(value: Any) -> Any:
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return [_value(v) for v in value.array_value.values]
    return getattr(value, kind) if kind else None


def _attributes(items: Any) -> dict[str, Any]:
    return {item.key: _value(item.value) for item in items}


class OtlpReceiver:
    """Collects the spans exported to it (OTLP/HTTP, protobuf)."""

    def __init__(self) -> None:
        self.spans: list[ReceivedSpan] = []
        self._lock = threading.Lock()
        self.metric_exports = 0  # OGX pushes its metrics to the same collector
        routes = [
            Route("/v1/traces", self._traces, methods=["POST"]),
            Route("/v1/metrics", self._metrics, methods=["POST"]),
        ]
        self.server = ThreadServer(Starlette(routes=routes), "otlp")

    @property
    def endpoint(self) -> str:
        """The value for ``OTEL_EXPORTER_OTLP_ENDPOINT``."""
        return self.server.origin

    async def _traces(self, request: Request) -> Response:
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
            ExportTraceServiceRequest,
            ExportTraceServiceResponse,
        )

        body = await request.body()
        if request.headers.get("content-encoding") == "gzip":
            body = gzip.decompress(body)
        export = ExportTraceServiceRequest()
        export.ParseFromString(body)
        received = []
        for resource_spans in export.resource_spans:
            resource = _attributes(resource_spans.resource.attributes)
            for scope in resource_spans.scope_spans:
                for span in scope.spans:
                    received.append(
                        ReceivedSpan(
                            name=span.name,
                            trace_id=span.trace_id.hex(),
                            span_id=span.span_id.hex(),
                            parent_span_id=span.parent_span_id.hex(),
                            kind=span.kind,
                            status_code=span.status.code,
                            attributes=_attributes(span.attributes),
                            events=tuple(event.name for event in span.events),
                            resource=resource,
                        )
                    )
        with self._lock:
            self.spans.extend(received)
        payload = ExportTraceServiceResponse().SerializeToString()
        return Response(payload, media_type="application/x-protobuf")

    async def _metrics(self, request: Request) -> Response:
        await request.body()
        with self._lock:
            self.metric_exports += 1
        return Response(b"", media_type="application/x-protobuf")

    def named(self, name: str) -> list[ReceivedSpan]:
        with self._lock:
            return [span for span in self.spans if span.name == name]

    def start(self) -> OtlpReceiver:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()


class HecReceiver:
    """A Splunk HEC: records events; ``delay`` makes it slow, ``failures`` answer 503 first."""

    def __init__(self, *, delay: float = 0.0, failures: int = 0, status: int = 200) -> None:
        self.delay = delay
        self.failures = failures
        self.status = status
        self.events: list[dict[str, Any]] = []
        self.tokens: list[str] = []
        self.attempts = 0
        self._lock = threading.Lock()
        route = Route("/services/collector/event", self._event, methods=["POST"])
        self.server = ThreadServer(Starlette(routes=[route]), "hec")

    @property
    def url(self) -> str:
        return f"{self.server.origin}/services/collector/event"

    async def _event(self, request: Request) -> Response:
        body = json.loads(await request.body())
        if self.delay:
            await asyncio.sleep(self.delay)
        with self._lock:
            self.attempts += 1
            if self.failures > 0:
                self.failures -= 1
                return JSONResponse({"text": "Server is busy", "code": 9}, status_code=503)
            if self.status >= 300:
                return JSONResponse({"text": "Invalid token", "code": 4}, status_code=self.status)
            self.events.append(body)
            self.tokens.append(request.headers.get("authorization", ""))
        return JSONResponse({"text": "Success", "code": 0})

    def start(self) -> HecReceiver:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()


def main() -> None:
    """``python -m lightspeed_core.testing.receivers otlp|hec``: serve, print the URL, wait."""
    import sys

    kind = sys.argv[1] if len(sys.argv) > 1 else "otlp"
    if kind == "otlp":
        otlp = OtlpReceiver().start()
        print(otlp.endpoint, flush=True)  # noqa: T201
    else:
        hec = HecReceiver().start()
        print(hec.url, flush=True)  # noqa: T201
    sys.stdin.read()  # until the parent closes our stdin


if __name__ == "__main__":
    main()
