"""A plain call (no tools, text messages) skips OGX's Responses layer: same events, same request.

``llm/chat.py`` makes such a call one chat completion through OGX's inference router; these
tests run the same requests through OGX's Responses layer too (``plain`` switched off) and
compare what the pipeline sees and what the model provider receives.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from lightspeed_core.errors import LightspeedError
from lightspeed_core.llm import library
from lightspeed_core.llm.base import ResponseRequest
from lightspeed_core.llm.events import Completed, LLMEvent, TextDelta
from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.support.app import RunningApp, running_app, stub_config

MODEL = "stub/stub-model"


@pytest.fixture
async def app(scripted: BackgroundServer, tmp_path: Path) -> AsyncIterator[RunningApp]:
    async with running_app(stub_config(scripted.base_url), tmp_path) as running:
        yield running


async def _events(app: RunningApp, request: ResponseRequest) -> list[LLMEvent]:
    return [event async for event in app.services.llm.respond(request)]


def _summary(events: list[LLMEvent]) -> tuple[str, str, object, str]:
    """The streamed text (OGX's Responses layer may cut it at other places), the result."""
    deltas = "".join(e.text for e in events if isinstance(e, TextDelta))
    [done] = [e for e in events if isinstance(e, Completed)]
    assert done.response_id is not None
    assert done.response_id.startswith("resp_")
    return deltas, done.text, done.usage, done.status


@pytest.mark.parametrize(
    ("question", "limit"),
    [("[[say:Hello there, friend]]", None), ("[[tokens:40]]", 20)],
    ids=["complete", "cut at max_output_tokens"],
)
async def test_same_events_as_the_responses_layer(
    app: RunningApp,
    scripted: BackgroundServer,
    monkeypatch: pytest.MonkeyPatch,
    question: str,
    limit: int | None,
) -> None:
    history = [
        {"role": "user", "content": "Earlier question"},
        {"role": "assistant", "content": "Earlier answer"},
        {"role": "user", "content": question},
    ]
    request = ResponseRequest(
        model=MODEL, input=history, instructions="Be brief.", max_output_tokens=limit
    )
    fast = _summary(await _events(app, request))
    sent_fast = scripted.backend.requests[-1]
    monkeypatch.setattr(library, "plain", lambda _request: False)
    layered = _summary(await _events(app, request))
    sent_layered = scripted.backend.requests[-1]
    assert fast == layered
    assert fast[3] == ("incomplete" if limit else "completed")
    assert sent_fast["messages"] == sent_layered["messages"]
    for key in ("max_completion_tokens", "stream", "stream_options"):
        assert sent_fast.get(key) == sent_layered.get(key), key


async def test_errors_are_the_same(app: RunningApp, monkeypatch: pytest.MonkeyPatch) -> None:
    request = ResponseRequest(model=MODEL, input=[{"role": "user", "content": "[[error:429]]"}])
    with pytest.raises(LightspeedError) as fast:
        await _events(app, request)
    monkeypatch.setattr(library, "plain", lambda _request: False)
    with pytest.raises(LightspeedError) as layered:
        await _events(app, request)
    assert type(fast.value) is type(layered.value)
    assert str(fast.value) == str(layered.value)
