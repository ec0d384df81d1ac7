"""The :class:`Metrics` object: every metric of the service, on a registry it owns."""

from __future__ import annotations

import asyncio
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

from lightspeed_core.metrics import names
from lightspeed_core.metrics.process import GcCounters, WorkerProcessCollector

LLM_LABELS = ("provider", "model", "endpoint")


class Metrics:
    """All metrics. Tests create their own instance, so counters are never shared globally.

    ``multiprocess_dir`` (``PROMETHEUS_MULTIPROC_DIR``, set before prometheus-client is
    imported) makes the values shared by the workers through files there; process and
    Python metrics then follow ``metrics/process.py``.
    """

    def __init__(self, *, multiprocess_dir: str | None = None) -> None:
        self.multiprocess_dir = multiprocess_dir
        self.multiprocess = multiprocess_dir is not None
        self.registry = CollectorRegistry()
        self._llm_cache: dict[tuple[str, str, str], tuple[Any, ...]] = {}
        self._rest_cache: dict[tuple[str, str], tuple[Any, Any]] = {}
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
        self.splunk_events_sent = Counter(
            names.SPLUNK_EVENTS_SENT, "Events accepted by the Splunk HEC", registry=r
        )
        self.splunk_events_dropped = Counter(
            names.SPLUNK_EVENTS_DROPPED,
            "Splunk events not delivered (queue_full, no_token, rejected, failed, shutdown)",
            ["reason"],
            registry=r,
        )
        self.mcp_server_failures = Counter(
            names.MCP_SERVER_FAILURES,
            "Failed MCP server checks and MCP failures during calls (the server is left out)",
            ["server"],
            registry=r,
        )
        self.transcript_failures = Counter(
            names.TRANSCRIPT_FAILURES,
            "Transcript files that could not be written (written behind the answer)",
            registry=r,
        )
        self.gc: GcCounters | None = None
        if multiprocess_dir is None:  # prometheus-client's defaults describe this process
            for collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
                r.register(collector)
        else:
            self.gc = GcCounters(r)
            self.gc.sync()

    def sync_process_metrics(self) -> None:
        """Publish this worker's gc statistics to the other workers (multiprocess mode)."""
        if self.gc is not None:
            self.gc.sync()

    async def publish_process_metrics(self, interval: float = 5.0) -> None:
        """Run for the worker's life: :meth:`sync_process_metrics` every ``interval`` seconds."""
        while True:
            await asyncio.sleep(interval)
            self.sync_process_metrics()

    def render(self) -> tuple[bytes, str]:
        """The exposition text and its content type."""
        if self.multiprocess_dir is not None:
            self.sync_process_metrics()
            merged = CollectorRegistry()
            MultiProcessCollector(merged)  # type: ignore[no-untyped-call]
            merged.register(WorkerProcessCollector(self.multiprocess_dir))
            merged.register(PLATFORM_COLLECTOR)
            return generate_latest(merged), CONTENT_TYPE_LATEST
        return generate_latest(self.registry), CONTENT_TYPE_LATEST

    def _llm_children(self, labels: tuple[str, str, str]) -> tuple[Any, ...]:
        """The labelled children of one (provider, model, endpoint), looked up once."""
        children = self._llm_cache.get(labels)
        if children is None:
            children = (
                self.llm_calls.labels(*labels),
                self.llm_call_failures.labels(*labels),
                self.llm_tokens_sent.labels(*labels),
                self.llm_tokens_received.labels(*labels),
                self.llm_inference_duration.labels(*labels, "success"),
                self.llm_inference_duration.labels(*labels, "failure"),
            )
            self._llm_cache[labels] = children
        return children

    def rest_children(self, path: str, status: str) -> tuple[Any, Any]:
        """Counter and histogram children of one REST route and status, looked up once."""
        key = (path, status)
        children = self._rest_cache.get(key)
        if children is None:
            children = (
                self.rest_api_calls.labels(path, status),
                self.response_duration.labels(path),
            )
            self._rest_cache[key] = children
        return children

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
        calls, failures, sent, received, success, failure = self._llm_children(
            (provider, model, endpoint)
        )
        calls.inc()
        if not ok:
            failures.inc()
        sent.inc(input_tokens)
        received.inc(output_tokens)
        (success if ok else failure).observe(seconds)
