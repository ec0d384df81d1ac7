"""The low-priority topic summary queue."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from lightspeed_core.conversations import topics as topic
from lightspeed_core.conversations.topics import TopicSummarizer, clean_topic
from lightspeed_core.testing.fake_llm import FakeLLM, Reply
from lightspeed_core.tracing.anonymize import Anonymizer
from lightspeed_core.tracing.otel import OtelTracer


def topic_llm() -> FakeLLM:
    """The shipped fake, answering every topic request with a fixed text."""
    return FakeLLM([Reply('"Kubernetes Basics."')])


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ('"Kubernetes Basics."', "Kubernetes Basics"),
        ("Topic\nmore", "Topic"),
        ("", ""),
        ("**Bold**!", "Bold"),
    ],
)
def test_clean_topic(raw: str, clean: str) -> None:
    assert clean_topic(raw) == clean


async def _until(predicate: Any, limit: float = 5.0) -> None:
    async with asyncio.timeout(limit):
        while not predicate():  # noqa: ASYNC110 - polling the summarizer's effect is the point
            await asyncio.sleep(0.01)


async def test_summaries_run_when_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(topic, "QUIET", 0.05)
    stored: list[tuple[str, str, str]] = []

    async def store(user: str, conversation: str, text: str) -> None:
        stored.append((user, conversation, text))

    llm = topic_llm()
    summarizer = TopicSummarizer(llm, "prompt", store)
    with summarizer.busy():
        summarizer.schedule("u", "c1", "m", "What is Kubernetes?")
        await asyncio.sleep(0.2)
        assert stored == []  # a query is in flight: the summary waits
    await _until(lambda: stored)
    assert stored == [("u", "c1", "Kubernetes Basics")]
    assert [str(r.input[-1]["content"]) for r in llm.requests] == ["What is Kubernetes?"]
    await summarizer.close()


async def test_waiting_too_long_runs_even_when_busy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(topic, "QUIET", 0.05)
    stored: list[str] = []

    async def store(_user: str, _conversation: str, text: str) -> None:
        stored.append(text)

    summarizer = TopicSummarizer(topic_llm(), "p", store, max_wait=0.1)
    with summarizer.busy():
        summarizer.schedule("u", "c", "m", "q")
        await _until(lambda: stored)
    await summarizer.close()


async def test_close_finishes_pending_work(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(topic, "QUIET", 0.01)
    stored: list[str] = []

    async def store(_user: str, conversation: str, _text: str) -> None:
        stored.append(conversation)

    summarizer = TopicSummarizer(topic_llm(), "p", store)
    for i in range(5):
        summarizer.schedule("u", f"c{i}", "m", "q")
    await summarizer.close(grace=5)
    assert stored == [f"c{i}" for i in range(5)]
    assert summarizer.pending == 0


async def test_a_summary_is_a_child_span_of_its_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(topic, "QUIET", 0.01)
    exporter = InMemorySpanExporter()
    tracer = OtelTracer.with_processor(SimpleSpanProcessor(exporter), Anonymizer(None), {})
    request = tracer.request_span("query.handle_request", {})

    async def store(_user: str, _conversation: str, _text: str) -> None:
        return None

    summarizer = TopicSummarizer(topic_llm(), "p", store)
    summarizer.schedule("u", "c", "m", "q", parent=request)
    request.end()  # the answer went out before the summary runs
    await summarizer.close(grace=5)
    spans = {span.name: span for span in exporter.get_finished_spans()}
    summary = spans["topic.summary"]
    assert summary.parent == spans["query.handle_request"].context
    assert dict(summary.attributes or {}) == {"topic.summary.success": True}
    assert [event.name for event in summary.events] == [
        "topic.summary.task.started",
        "topic.summary.task.finished",
    ]


async def test_close_flushes_pending_summaries_even_with_requests_in_flight() -> None:
    """At shutdown a request cancelled half-way may never leave ``busy()``."""
    stored: list[tuple[str, str, str]] = []

    async def store(user: str, conversation: str, text: str) -> None:
        stored.append((user, conversation, text))

    summarizer = TopicSummarizer(topic_llm(), "prompt", store)
    with summarizer.busy():
        summarizer.schedule("u", "c1", "m", "first?")
        summarizer.schedule("u", "c2", "m", "second?")
        await summarizer.close(grace=30)
    assert stored == [("u", "c1", "Kubernetes Basics"), ("u", "c2", "Kubernetes Basics")]
