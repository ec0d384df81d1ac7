"""Cost of tracing and Splunk on the request path (issue 13: < 0.3 ms off, < 1 ms on).

``uv run --no-sync python -m bench.observability_overhead [--n 300]`` measures three ways:

1. **Service**: the scripted backend, a local OTLP/HTTP collector and a local Splunk HEC
   (``lightspeed_core.testing.receivers``), and three services (one worker each): tracing
   and Splunk off; tracing on (exporting to the collector); Splunk on. ``--n`` sequential
   ``/v1/query`` requests to each, interleaved round by round so machine load hits every
   variant alike; median/p95 and the difference to "off". ``/v1/query`` sends no Splunk
   event (the reference sends them from ``/v1/infer`` and ``/v1/responses``), so that row
   shows that enabling Splunk costs the other endpoints nothing.
   Tracing on is measured twice: with ``OTEL_EXPORTER_OTLP_ENDPOINT`` (OGX, in process,
   then also exports its metrics) and with ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` (our spans
   only).
2. **Pipeline, in process**: ``prepare`` + ``run`` over the fakes of ``testing/`` with the
   no-op tracer and with the SDK tracer (batching to a collector in another process): CPU
   (process time, the exporter's thread included) per turn without HTTP, OGX or a database,
   so the tracing difference is not lost in the machine's noise; and the cost of the span
   calls of one turn on the no-op span.
3. **Splunk emit**: what an endpoint pays per event (``Splunk.infer``: build the event, queue
   it) with the HEC sink running against a receiver in another process, and the CPU and rate
   of the background delivery.

``--service-only`` / ``--no-service`` run part 1 alone / parts 2 and 3 alone. Results:
``bench/analysis.md`` (copied into docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.measure import Call, add_difference, interleaved, summary
from bench.processes import free_port, service_config, start_service, stopping
from lightspeed_core.auth.base import Principal
from lightspeed_core.authz.context import Authorized
from lightspeed_core.authz.policy import DEFAULT_ACTIONS
from lightspeed_core.metrics.registry import Metrics
from lightspeed_core.pipeline.prepare import prepare
from lightspeed_core.pipeline.run import run
from lightspeed_core.pipeline.turn import Endpoint, TurnInput
from lightspeed_core.splunk import InferEvent, Sourcetype, Splunk
from lightspeed_core.splunk.hec import HecSink, HecTarget
from lightspeed_core.testing.fake_llm import FakeLLM, Reply
from lightspeed_core.testing.receivers import HecReceiver, OtlpReceiver, eventually
from lightspeed_core.testing.scripted_backend import BackgroundServer
from lightspeed_core.testing.services import fake_ports
from lightspeed_core.tracing import NOOP_TRACER, Tracer, build_tracer
from lightspeed_core.vocabulary.actions import Action

BODY = {"query": "Say hello", "generate_topic_summary": False}
SECRET = "bench-secret"  # noqa: S105 (a benchmark key)
EVENT = InferEvent("How do I list files?", "Use ls.", 0.2, "stub-model", "req", "org", "sys")


async def measure_service(bases: dict[str, str], n: int, warmup: int) -> dict[str, Any]:
    calls = {name: Call(base, BODY) for name, base in bases.items()}
    results = await interleaved(calls, n, warmup, digits=3)
    add_difference(results, "off", "median_overhead_ms", digits=3)
    return results


async def run_services(root: Path, n: int, warmup: int, collector: str, hec: str) -> dict[str, Any]:
    token = root / "hec-token"
    token.write_text("bench-token")
    splunk = {"enabled": True, "url": hec, "token_path": str(token), "index": "bench"}
    tracing = {"OTEL_EXPORTER_OTLP_ENDPOINT": collector, "OTEL_ANONYMIZATION_SECRET": SECRET}
    # OGX (in process) reads only OTEL_EXPORTER_OTLP_ENDPOINT: with the traces endpoint it
    # stays quiet, so this variant measures our spans alone
    traces_only = {
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": f"{collector}/v1/traces",
        "OTEL_ANONYMIZATION_SECRET": SECRET,
    }
    variants: dict[str, tuple[dict[str, Any], dict[str, str]]] = {
        "off": ({}, {}),
        "tracing on": ({}, tracing),
        "tracing on, traces endpoint only": ({}, traces_only),
        "splunk on": ({"splunk": splunk}, {}),
    }
    backend = BackgroundServer().start()
    bases = {}
    try:
        with stopping() as processes:
            for index, (name, (sections, env)) in enumerate(variants.items()):
                port = free_port()
                folder = root / f"v{index}"
                path = service_config(
                    folder, backend.base_url, port, name=f"obs-{index}", **sections
                )
                process, bases[name] = start_service(path, folder, port, env)
                processes.append(process)
            return await measure_service(bases, n, warmup)
    finally:
        backend.stop()


async def pipeline_turns(tracer: Tracer, n: int) -> list[float]:
    """Milliseconds per ``prepare`` + ``run`` over the fakes, one turn at a time."""
    endpoint = Endpoint("/v1/query", Action.QUERY)
    auth = Authorized(Principal("alice", "alice"), DEFAULT_ACTIONS)
    ports = fake_ports(llm=FakeLLM([Reply("Hello there")] * (n + 1)), tracer=tracer)
    headers = {"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}
    samples = []
    for _ in range(n):
        turn = TurnInput("Say hello", generate_topic_summary=False)
        start = time.perf_counter()
        prepared = await prepare(ports, turn, auth, endpoint, headers)
        async for _event in run(ports, prepared):
            pass
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def noop_span_calls() -> None:
    """The span calls one turn makes, as the pipeline makes them with tracing off."""
    span = NOOP_TRACER.request_span("query.handle_request", {})
    if span.recording:
        raise AssertionError
    span.event("validation.completed")
    for name in ("shield.moderate", "rag.retrieve", "quota.check"):
        with span.child(name) as child:
            child.set({"quota.check.passed": True})
    llm = span.child("llm.inference")
    llm.end()
    span.event("turn.persisted")
    span.end()


def noop_cost_us(rounds: int = 200_000) -> float:
    start = time.process_time()
    for _ in range(rounds):
        noop_span_calls()
    return round((time.process_time() - start) / rounds * 1e6, 3)


async def measure_pipeline(n: int, collector: str) -> dict[str, Any]:
    """CPU per turn (process time, so the exporter's thread counts and other processes not)."""
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": collector, "OTEL_ANONYMIZATION_SECRET": SECRET}
    await pipeline_turns(NOOP_TRACER, 200)  # warm-up
    cpu: dict[str, list[float]] = {"off": [], "tracing on": []}
    wall: dict[str, list[float]] = {"off": [], "tracing on": []}
    for _ in range(10):  # interleaved blocks
        for name in cpu:
            tracer = NOOP_TRACER if name == "off" else build_tracer(env, version="bench")
            start = time.process_time()
            wall[name] += await pipeline_turns(tracer, n // 10)
            tracer.shutdown()  # the export of every span of the block is paid here
            cpu[name].append((time.process_time() - start) / (n // 10) * 1000)
    result: dict[str, Any] = {"noop_span_calls_us_per_turn": noop_cost_us()}
    for name in cpu:
        result[name] = {
            "cpu_ms_per_turn": round(statistics.median(cpu[name]), 3),
            "wall": summary(wall[name], 3),
        }
    result["tracing_cpu_overhead_ms"] = round(
        result["tracing on"]["cpu_ms_per_turn"] - result["off"]["cpu_ms_per_turn"], 3
    )
    return result


async def measure_splunk_emit(n: int, hec_url: str, root: Path) -> dict[str, Any]:
    token = root / "emit-token"
    token.write_text("bench-token")
    metrics = Metrics()
    target = HecTarget(hec_url, token, "bench", "lightspeed-stack (vbench)", timeout=5.0)
    splunk = Splunk(HecSink(target, metrics, queue_size=n + 1), "bench", enabled=True)
    start, cpu_start = time.perf_counter(), time.process_time()
    for _ in range(n):
        splunk.infer(EVENT, Sourcetype.INFER_WITH_LLM)
    emit_us = (time.process_time() - cpu_start) / n * 1e6
    sent = 0.0

    def delivered() -> bool:
        nonlocal sent
        sent = metrics.registry.get_sample_value("ls_splunk_events_sent_total") or 0.0
        return sent >= n

    await eventually(delivered, patience=120)
    elapsed = time.perf_counter() - start
    delivery_cpu_us = (time.process_time() - cpu_start) / n * 1e6
    await splunk.close()
    return {
        "emit_us_per_event": round(emit_us, 2),
        "delivery_cpu_us_per_event": round(delivery_cpu_us, 1),
        "delivered": int(sent),
        "events_per_second": round(sent / elapsed, 1),
    }


def receiver_process(kind: str) -> tuple[subprocess.Popen[str], str]:
    """A stand-in in its own process, so its CPU is not counted as ours."""
    process = subprocess.Popen(
        [sys.executable, "-m", "lightspeed_core.testing.receivers", kind],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--pipeline-n", type=int, default=2000)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--service-only", action="store_true")
    parser.add_argument("--no-service", action="store_true")
    args = parser.parse_args()
    collector, hec = OtlpReceiver().start(), HecReceiver().start()
    remote_otlp, otlp_url = receiver_process("otlp")
    remote_hec, hec_url = receiver_process("hec")
    results: dict[str, Any] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="observability-bench-") as tmp:
            root = Path(tmp)
            if not args.service_only:
                results["pipeline"] = await measure_pipeline(args.pipeline_n, otlp_url)
                results["splunk_emit"] = await measure_splunk_emit(args.events, hec_url, root)
            if not args.no_service:
                results["service"] = await run_services(
                    root, args.n, args.warmup, collector.endpoint, hec.url
                )
            results["spans_received"] = len(collector.spans)
    finally:
        collector.stop()
        hec.stop()
        for process in (remote_otlp, remote_hec):
            process.communicate(timeout=10)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
