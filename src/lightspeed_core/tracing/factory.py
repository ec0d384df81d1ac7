"""``build_tracer``: tracing on or off, from the standard ``OTEL_*`` variables.

On when an OTLP endpoint is set (``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``, or
``OTEL_EXPORTER_OTLP_ENDPOINT`` + ``/v1/traces``) or ``OTEL_TRACES_EXPORTER=console``;
off with ``OTEL_SDK_DISABLED=true`` or ``OTEL_TRACES_EXPORTER=none``. Headers come from
``OTEL_EXPORTER_OTLP_[TRACES_]HEADERS``; the batch processor's ``OTEL_BSP_*``, timeouts,
certificates and ``OTEL_RESOURCE_ATTRIBUTES`` are read by the SDK itself.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from lightspeed_core.tracing.anonymize import Anonymizer
from lightspeed_core.tracing.base import NOOP_TRACER, Tracer

log = logging.getLogger(__name__)
SECRET_ENV = "OTEL_ANONYMIZATION_SECRET"  # noqa: S105 (a variable name)
DEFAULT_SERVICE_NAME = "lightspeed-core"


def _traces_endpoint(env: Mapping[str, str]) -> str | None:
    specific = env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    if specific:
        return specific
    general = env.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    return general.rstrip("/") + "/v1/traces" if general else None


def _exporter_name(env: Mapping[str, str]) -> str:
    return env.get("OTEL_TRACES_EXPORTER", "otlp").split(",")[0].strip().lower() or "otlp"


def tracing_enabled(env: Mapping[str, str]) -> bool:
    """Whether ``env`` (the ``OTEL_*`` variables) turns tracing on."""
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() in ("true", "1"):
        return False
    exporter = _exporter_name(env)
    if exporter == "console":
        return True
    return exporter == "otlp" and _traces_endpoint(env) is not None


def build_tracer(env: Mapping[str, str], *, version: str) -> Tracer:
    """The no-op tracer, or an SDK tracer exporting in the background."""
    if not tracing_enabled(env):
        return NOOP_TRACER
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter

    from lightspeed_core.tracing.otel import OtelTracer

    protocol = env.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or env.get(
        "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"
    )
    exporter: SpanExporter
    if _exporter_name(env) == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        exporter = ConsoleSpanExporter()
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.util.re import parse_env_headers

        if protocol != "http/protobuf":
            log.warning("OTEL_EXPORTER_OTLP_PROTOCOL=%s: only http/protobuf is supported", protocol)
        raw = env.get("OTEL_EXPORTER_OTLP_TRACES_HEADERS") or env.get(
            "OTEL_EXPORTER_OTLP_HEADERS", ""
        )
        headers = parse_env_headers(raw, liberal=True)
        exporter = OTLPSpanExporter(endpoint=_traces_endpoint(env), headers=headers)
    secret = env.get(SECRET_ENV)
    if not secret:
        log.warning(
            "tracing is on but %s is not set: user ids, questions and answers are left out "
            "of the spans",
            SECRET_ENV,
        )
    resource = {
        "service.name": env.get("OTEL_SERVICE_NAME") or DEFAULT_SERVICE_NAME,
        "service.version": version,
    }
    log.info("OpenTelemetry tracing on (%s)", _traces_endpoint(env) or "console")
    return OtelTracer.with_processor(BatchSpanProcessor(exporter), Anonymizer(secret), resource)
