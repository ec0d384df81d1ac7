"""Splunk HEC events end to end: the real sink against a local HEC receiver.

Delivery and the reference's envelope, the token file re-read per event, retries, a
receiver that refuses, one that is down and one that is slow (the bounded queue drops and
counts), and the counts in the service's ``/metrics``.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from lightspeed_core import __version__
from lightspeed_core.config.models import SplunkConfiguration
from lightspeed_core.metrics.registry import Metrics
from lightspeed_core.splunk import InferEvent, ResponsesEvent, Sourcetype, Splunk, build_splunk
from lightspeed_core.splunk.hec import HecSink, HecTarget
from lightspeed_core.testing.receivers import HecReceiver, eventually
from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.support.app import running_app, stub_config

ANSWER = InferEvent(
    question="How do I list files?",
    response="Use ls.",
    inference_time=0.25,
    model="stub-model",
    request_id="req-1",
    org_id="org",
    system_id="sys",
    cla_version="CLA/0.7.1",
    system_os="RHEL",
    system_version="9.3",
    system_arch="x86_64",
    input_tokens=7,
    output_tokens=3,
)


@pytest.fixture
def receiver() -> Iterator[HecReceiver]:
    server = HecReceiver().start()
    yield server
    server.stop()


@pytest.fixture
def token(tmp_path: Path) -> Path:
    path = tmp_path / "hec-token"
    path.write_text("token-1\n")
    return path


def _splunk(url: str, token: Path, metrics: Metrics, **options: int) -> Splunk:
    target = HecTarget(url, token, "rhel_lightspeed", "lightspeed-stack (v9)", timeout=5.0)
    sink = HecSink(target, metrics, backoff=0.01, **options)
    return Splunk(sink, "production", enabled=True)


def _dropped(metrics: Metrics, reason: str) -> float:
    value = metrics.registry.get_sample_value("ls_splunk_events_dropped_total", {"reason": reason})
    return value or 0.0


def _sent(metrics: Metrics) -> float:
    return metrics.registry.get_sample_value("ls_splunk_events_sent_total") or 0.0


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_events_arrive_in_the_references_envelope(receiver: HecReceiver, token: Path) -> None:
    metrics = Metrics()
    splunk = _splunk(receiver.url, token, metrics)
    splunk.infer(ANSWER, Sourcetype.INFER_WITH_LLM)
    splunk.responses(
        ResponsesEvent("hi", "RuntimeError", "c1", "m", 0.5, user_agent="ua"),
        Sourcetype.RESPONSES_ERROR,
    )
    assert await eventually(lambda: _sent(metrics) == 2)
    await splunk.close()
    infer, responses = sorted(receiver.events, key=lambda e: e["sourcetype"])
    assert set(infer) == {"time", "host", "source", "sourcetype", "index", "event"}
    assert infer["source"] == "lightspeed-stack (v9)"
    assert infer["index"] == "rhel_lightspeed"
    assert infer["sourcetype"] == "infer_with_llm"
    assert infer["event"] == {
        "question": "How do I list files?",
        "refined_questions": [],
        "context": "",
        "response": "Use ls.",
        "inference_time": 0.25,
        "model": "stub-model",
        "deployment": "production",
        "org_id": "org",
        "system_id": "sys",
        "total_llm_tokens": 10,
        "request_id": "req-1",
        "cla_version": "CLA/0.7.1",
        "system_os": "RHEL",
        "system_version": "9.3",
        "system_arch": "x86_64",
    }
    assert responses["sourcetype"] == "responses_error"
    assert responses["event"]["response_text"] == "RuntimeError"
    assert responses["event"]["user_agent"] == "ua"
    assert receiver.tokens == ["Splunk token-1", "Splunk token-1"]
    assert _sent(metrics) == 2


async def test_the_token_file_is_read_for_every_event(receiver: HecReceiver, token: Path) -> None:
    splunk = _splunk(receiver.url, token, Metrics())
    splunk.infer(ANSWER, Sourcetype.INFER_WITH_LLM)
    assert await eventually(lambda: len(receiver.events) == 1)
    await asyncio.to_thread(token.write_text, "token-2")  # rotated without a restart
    splunk.infer(ANSWER, Sourcetype.INFER_ERROR)
    assert await eventually(lambda: len(receiver.events) == 2)
    await splunk.close()
    assert receiver.tokens == ["Splunk token-1", "Splunk token-2"]


async def test_a_busy_receiver_is_retried(token: Path) -> None:
    receiver = HecReceiver(failures=1).start()
    try:
        metrics = Metrics()
        splunk = _splunk(receiver.url, token, metrics)
        splunk.infer(ANSWER, Sourcetype.INFER_WITH_LLM)
        assert await eventually(lambda: _sent(metrics) == 1)
        await splunk.close()
    finally:
        receiver.stop()
    assert receiver.attempts == 2
    assert _sent(metrics) == 1


async def test_a_refusal_is_final_and_counted(token: Path) -> None:
    receiver = HecReceiver(status=403).start()
    try:
        metrics = Metrics()
        splunk = _splunk(receiver.url, token, metrics)
        splunk.infer(ANSWER, Sourcetype.INFER_WITH_LLM)
        assert await eventually(lambda: _dropped(metrics, "rejected") == 1)
        await splunk.close()
    finally:
        receiver.stop()
    assert receiver.attempts == 1


async def test_a_missing_token_file_drops_the_event(receiver: HecReceiver, tmp_path: Path) -> None:
    metrics = Metrics()
    splunk = _splunk(receiver.url, tmp_path / "absent", metrics)
    splunk.infer(ANSWER, Sourcetype.INFER_WITH_LLM)
    assert await eventually(lambda: _dropped(metrics, "no_token") == 1)
    await splunk.close()
    assert receiver.attempts == 0


async def test_a_receiver_that_is_down_costs_the_request_nothing(token: Path) -> None:
    metrics = Metrics()
    splunk = _splunk(f"http://127.0.0.1:{_closed_port()}/services/collector/event", token, metrics)
    splunk.infer(ANSWER, Sourcetype.INFER_WITH_LLM)  # returns at once, raises nothing
    assert await eventually(lambda: _dropped(metrics, "failed") == 1)
    await splunk.close()
    assert _sent(metrics) == 0


async def test_a_slow_receiver_fills_the_bounded_queue(token: Path) -> None:
    receiver = HecReceiver(delay=0.3).start()
    try:
        metrics = Metrics()
        splunk = _splunk(receiver.url, token, metrics, queue_size=2, senders=1)
        for _ in range(10):  # queued without yielding to the sender: 2 fit, 8 are dropped
            splunk.infer(ANSWER, Sourcetype.INFER_WITH_LLM)
        assert _dropped(metrics, "queue_full") == 8
        assert await eventually(lambda: _sent(metrics) == 2)
        await splunk.close()
    finally:
        receiver.stop()
    assert len(receiver.events) == 2


async def test_shutdown_gives_up_on_a_slow_receiver_and_counts_the_rest(token: Path) -> None:
    receiver = HecReceiver(delay=2.0).start()
    try:
        metrics = Metrics()
        splunk = _splunk(receiver.url, token, metrics, senders=1)
        for _ in range(3):
            splunk.infer(ANSWER, Sourcetype.INFER_WITH_LLM)
        assert isinstance(splunk.sink, HecSink)
        await splunk.sink.close(grace=0.1)
    finally:
        receiver.stop()
    assert _dropped(metrics, "shutdown") == 2  # one was in flight, two still queued


def test_disabled_splunk_is_the_noop() -> None:
    assert not build_splunk(None, "d", Metrics(), "1").enabled
    assert not build_splunk(SplunkConfiguration(), "d", Metrics(), "1").enabled


async def test_the_service_counts_events_in_metrics(
    scripted: BackgroundServer, receiver: HecReceiver, token: Path, tmp_path: Path
) -> None:
    splunk = {"enabled": True, "url": receiver.url, "token_path": str(token), "index": "idx"}
    config = stub_config(scripted.base_url, splunk=splunk, deployment_environment="stage")
    async with running_app(config, tmp_path / "app") as running:
        running.services.splunk.infer(ANSWER, Sourcetype.INFER_WITH_LLM)  # as /v1/infer does
        assert await eventually(lambda: _sent(running.services.metrics) == 1)
        metrics = (await running.client.get("/metrics")).text
    assert "ls_splunk_events_sent_total 1.0" in metrics
    [event] = receiver.events
    assert event["source"] == f"lightspeed-stack (v{__version__})"
    assert event["event"]["deployment"] == "stage"


def test_an_event_outside_an_event_loop_is_dropped_not_raised(tmp_path: Path) -> None:
    metrics = Metrics()
    splunk = _splunk("http://127.0.0.1:9/services/collector/event", tmp_path / "t", metrics)
    splunk.infer(ANSWER, Sourcetype.INFER_WITH_LLM)
    assert _dropped(metrics, "failed") == 1
