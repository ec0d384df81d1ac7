"""OpenTelemetry tracing: spans for the request path, off by default and free when off.

``base.py`` holds the :class:`Tracer` / :class:`Span` ports and the no-op pair used when
tracing is off; ``otel.py`` the OpenTelemetry SDK implementation (OTLP/HTTP exporter);
``anonymize.py`` the HMAC applied to user ids, questions and answers; ``factory.py`` decides
from the ``OTEL_*`` variables. It imports nothing of ours, so every layer can open spans.
"""

from lightspeed_core.tracing.base import NOOP_SPAN, NOOP_TRACER, Span, Tracer
from lightspeed_core.tracing.factory import build_tracer, tracing_enabled

__all__ = ["NOOP_SPAN", "NOOP_TRACER", "Span", "Tracer", "build_tracer", "tracing_enabled"]
