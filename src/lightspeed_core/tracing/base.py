"""The tracing ports and the no-op implementation used when tracing is off.

Callers open spans unconditionally (``with span.child("rag.retrieve") as rag:``); with the
no-op tracer every call is an attribute lookup and a return. Work done only to compute
attributes is guarded by ``if span.recording:``, so tracing off costs nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Protocol

AttributeValue = str | bool | int | float | Sequence[str]


class Span(Protocol):
    """One started span; also a context manager that ends it (recording an exception)."""

    @property
    def recording(self) -> bool:
        """Whether attributes set on this span go anywhere."""
        ...

    def set(self, attributes: Mapping[str, AttributeValue]) -> None:
        """Set attributes."""
        ...

    def set_private(self, attributes: Mapping[str, str]) -> None:
        """Set attributes whose values are user data: HMAC-anonymized first."""
        ...

    def event(self, name: str, attributes: Mapping[str, AttributeValue] | None = None) -> None:
        """Add a span event."""
        ...

    def fail(self, error: BaseException) -> None:
        """Record ``error`` and mark the span failed."""
        ...

    def child(self, name: str) -> Span:
        """Start a child span (end it, or use it as a context manager)."""
        ...

    def headers(self) -> dict[str, str]:
        """Propagation headers (W3C ``traceparent`` …) naming this span as the parent."""
        ...

    def end(self) -> None:
        """End the span (later calls are ignored)."""
        ...

    def __enter__(self) -> Span: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...


class Tracer(Protocol):
    """Starts the root span of a request; flushes on shutdown."""

    @property
    def enabled(self) -> bool:
        """Whether spans are exported."""
        ...

    def request_span(self, name: str, headers: Mapping[str, str]) -> Span:
        """The root span of one request, continuing the client's ``traceparent`` if any."""
        ...

    def shutdown(self) -> None:
        """Export what is buffered and stop (blocking; call it in a thread)."""
        ...


class NoopSpan:
    """A span that records nothing (a single shared instance, :data:`NOOP_SPAN`)."""

    __slots__ = ()

    recording = False

    def set(self, attributes: Mapping[str, AttributeValue]) -> None:
        return None

    def set_private(self, attributes: Mapping[str, str]) -> None:
        return None

    def event(self, name: str, attributes: Mapping[str, AttributeValue] | None = None) -> None:
        return None

    def fail(self, error: BaseException) -> None:
        return None

    def child(self, name: str) -> NoopSpan:
        return self

    def headers(self) -> dict[str, str]:
        return {}

    def end(self) -> None:
        return None

    def __enter__(self) -> NoopSpan:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        return None


class NoopTracer:
    """Tracing off: every span is :data:`NOOP_SPAN`."""

    enabled = False

    def request_span(self, name: str, headers: Mapping[str, str]) -> Span:
        return NOOP_SPAN

    def shutdown(self) -> None:
        return None


NOOP_SPAN = NoopSpan()
NOOP_TRACER = NoopTracer()
