"""The :class:`Metrics` object: every metric of the service, on a registry it owns."""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

from lightspeed_core.metrics import names

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
LLM_LABELS = ("provider", "model", "endpoint")


def multiprocess_enabled() -> bool:
    """True when metric values are shared between worker processes through files."""
    return bool(os.environ.get(MULTIPROC_ENV))


class Metrics:
    """All metrics. Tests create their own instance, so counters are never shared globally."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.rest_api_calls = Counter(
            names.REST_API_CALLS, "REST API calls", ["path", "status_code"], registry=r
        )
        self.response_duration = Histogram(
            names.RESPONSE_DURATION,
            "REST response duration (whole stream for streaming)",
            ["path"],
            buckets=names.DURATION_BUCKETS,
            registry=r,
        )
        self.provider_model_configuration = Gauge(
            names.PROVIDER_MODEL_CONFIGURATION,
            "1 for the configured default model, 0 otherwise",
            ["provider", "model"],
            registry=r,
            multiprocess_mode="max",
        )
        self.llm_calls = Counter(names.LLM_CALLS, "LLM calls", LLM_LABELS, registry=r)
        self.llm_call_failures = Counter(
            names.LLM_CALL_FAILURES, "Failed LLM calls", LLM_LABELS, registry=r
        )
        self.llm_validation_errors = Counter(
            names.LLM_VALIDATION_ERRORS, "Questions refused by a shield", ["endpoint"], registry=r
        )
        self.llm_tokens_sent = Counter(
            names.LLM_TOKENS_SENT, "Input tokens sent to LLMs", LLM_LABELS, registry=r
        )
        self.llm_tokens_received = Counter(
            names.LLM_TOKENS_RECEIVED, "Output tokens received from LLMs", LLM_LABELS, registry=r
        )
        self.llm_inference_duration = Histogram(
            names.LLM_INFERENCE_DURATION,
            "LLM inference duration",
            [*LLM_LABELS, "result"],
            buckets=names.DURATION_BUCKETS,
            registry=r,
        )
        self.started_in_degraded_mode = Gauge(
            names.STARTED_IN_DEGRADED_MODE,
            "1 if the service started without OGX",
            registry=r,
            multiprocess_mode="max",
        )

    def render(self) -> tuple[bytes, str]:
        """The exposition text and its content type."""
        if multiprocess_enabled():
            merged = CollectorRegistry()
            MultiProcessCollector(merged)  # type: ignore[no-untyped-call]
            return generate_latest(merged), CONTENT_TYPE_LATEST
        return generate_latest(self.registry), CONTENT_TYPE_LATEST

    def record_llm_call(
        self,
        provider: str,
        model: str,
        endpoint: str,
        *,
        input_tokens: int,
        output_tokens: int,
        seconds: float,
        ok: bool,
    ) -> None:
        """Count one model call, its tokens and duration (exactly once per call)."""
        labels = (provider, model, endpoint)
        self.llm_calls.labels(*labels).inc()
        if not ok:
            self.llm_call_failures.labels(*labels).inc()
        self.llm_tokens_sent.labels(*labels).inc(input_tokens)
        self.llm_tokens_received.labels(*labels).inc(output_tokens)
        result = "success" if ok else "failure"
        self.llm_inference_duration.labels(*labels, result).observe(seconds)
