"""Calls offering function tools skip OGX's Responses layer: same events, same request.

``llm/chat.py`` makes a call whose tools are all function tools (skills, MCP tools offered
as functions ...) one chat completion through OGX's inference router. These tests run the
same calls through OGX's Responses layer too (``plain`` switched off) and compare:

* at the backend port, with a fake of OGX's inference API under both paths (the same
  chunks for both: text cut anywhere, several tool calls, arguments in pieces): the events
  and the chat-completion request OGX's Responses layer makes;
* end to end, real OGX and the scripted model server, an MCP server and a skill: the
  ``/v1/query`` answer, tool calls, results and usage, the ``/v1/streaming_query`` SSE
  events, and what the model server received - and that the chat path was taken.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from typing import Any

import pytest

from lightspeed_core.llm import chat, library, ogx_router
from lightspeed_core.llm.base import ResponseRequest
from lightspeed_core.llm.events import Completed, LLMEvent, ToolCall, ToolResult
from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.integration.mcp.helpers import mcp_servers, quiet
from tests.support.app import RunningApp, running_app, stub_config
from tests.support.chat_chunks import ScriptedInference, call, finish, text, usage
from tests.support.mcp_server import McpTestServer, ServerOptions

pytestmark = pytest.mark.xdist_group("tool-chat")

MODEL = "stub/stub-model"
ADD = {
    "type": "function",
    "name": "add",
    "description": "Add two numbers.",
    "parameters": {"type": "object", "properties": {"a": {"type": "integer"}}},
}
SKILLS = {"type": "function", "name": "list_skills", "parameters": None}
LOOP = [
    {"role": "user", "content": "Add 1 and 2, then list the skills."},
    {"type": "function_call", "call_id": "call_0", "name": "add", "arguments": '{"a": 1}'},
    {"type": "function_call_output", "call_id": "call_0", "output": "3"},
]


@pytest.fixture(scope="module")
def servers() -> Iterator[list[McpTestServer]]:
    with mcp_servers(ServerOptions(tokens=None)) as started:
        yield started


@pytest.fixture(scope="module")
async def app(
    scripted: BackgroundServer,
    servers: list[McpTestServer],
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[RunningApp]:
    folder = tmp_path_factory.mktemp("tool-chat")
    skill = folder / "skills" / "hello"
    skill.mkdir(parents=True)
    (skill / "SKILL.md").write_text("---\nname: hello\ndescription: Hi.\n---\nSay hi.\n")
    config = stub_config(
        scripted.base_url,
        mcp_servers=[{"name": "calc", "url": servers[0].url}],
        skills={"paths": [str(folder / "skills")]},
    )
    async with running_app(config, folder / "app") as running:
        yield running


class Paths:
    """Counts the calls made as one chat completion (``llm/chat.py``)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.chat = 0
        self._monkeypatch = monkeypatch
        original = chat.chat_events

        def counted(*args: Any) -> AsyncIterator[LLMEvent]:
            self.chat += 1
            return original(*args)

        monkeypatch.setattr(library, "chat_events", counted)

    def through_responses(self) -> None:
        """From now on, every call goes through OGX's Responses layer."""
        self._monkeypatch.setattr(library, "plain", lambda _request: False)


def _backend(app: RunningApp) -> library.LibraryBackend:
    llm = app.services.llm
    backend = getattr(llm, "inner", llm)
    assert isinstance(backend, library.LibraryBackend)
    return backend


def _inference(
    app: RunningApp, monkeypatch: pytest.MonkeyPatch, answer: list[dict[str, Any]]
) -> ScriptedInference:
    """The fake inference API under both paths, answering ``answer``."""
    fake = ScriptedInference(answer)
    backend = _backend(app)
    monkeypatch.setattr(backend, "_inference", fake)
    monkeypatch.setattr(backend._responses.openai_responses_impl, "inference_api", fake)
    return fake


def _same_ids(events: list[LLMEvent]) -> list[LLMEvent]:
    """The events with the ids OGX makes anew on every call (``resp_``, ``fc_``) blanked."""
    out: list[LLMEvent] = []
    for event in events:
        if isinstance(event, Completed):
            assert event.response_id is not None
            assert event.response_id.startswith("resp_")
            event = replace(event, response_id="resp_")
        elif isinstance(event, ToolCall | ToolResult) and event.id.startswith("fc_"):
            event = replace(event, id="fc_")
        out.append(event)
    return out


ANSWERS = {
    "text then two calls": [
        text("Let me "),
        text("check [file-"),
        text("x] first."),
        call(0, id="call_a", name="add", arguments='{"a":'),
        call(0, arguments=" 2}"),
        call(1, id="call_b", name="list_skills", arguments=""),
        finish("tool_calls"),
        usage(40, 7),
    ],
    "one call": [call(0, id="call_1", name="add", arguments='{"a": 3}'), usage(9, 1)],
    "text cut at the limit": [text("tok0 "), text("tok1 ("), finish("length"), usage(5, 2)],
    "an unknown function": [call(0, id="c", name="nope", arguments="{}"), finish("tool_calls")],
    "a built-in tool's name": [call(0, id="c", name="knowledge_search", arguments="{}")],
}


@pytest.mark.parametrize("answer", list(ANSWERS), ids=list(ANSWERS))
@pytest.mark.parametrize("tools", [[ADD, SKILLS], []], ids=["tools", "no tools"])
async def test_same_events_and_request_as_the_responses_layer(
    app: RunningApp,
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
    tools: list[dict[str, Any]],
) -> None:
    request = ResponseRequest(
        model=MODEL,
        input=LOOP,
        instructions="Be brief.",
        tools=tools,
        max_output_tokens=100,
        max_infer_iters=4,
        max_tool_calls=2,
        temperature=0.2,
    )
    paths = Paths(monkeypatch)
    fast = _inference(app, monkeypatch, ANSWERS[answer])
    fast_events = [event async for event in _backend(app).respond(request)]
    assert paths.chat == 1
    paths.through_responses()
    layered = _inference(app, monkeypatch, ANSWERS[answer])
    layered_events = [event async for event in _backend(app).respond(request)]
    assert paths.chat == 1
    assert _same_ids(fast_events) == _same_ids(layered_events)
    sent_fast = [sent.model_dump(exclude_none=True) for sent in fast.requests]
    sent_layered = [sent.model_dump(exclude_none=True) for sent in layered.requests]
    assert sent_fast[0] == sent_layered[0]  # the chat path's request is OGX's first
    assert sent_fast[-len(sent_layered) :] == sent_layered
    # a built-in tool's name is OGX's to run: that call went through its Responses layer
    fell_back = answer == "a built-in tool's name" and bool(tools)
    assert len(fast.requests) == len(layered.requests) + fell_back


def _sse(body: str) -> list[dict[str, Any]]:
    events = [json.loads(line[len("data: ") :]) for line in body.splitlines() if line]
    for event in events:
        event["data"].pop("conversation_id", None)
        event["data"].pop("request_id", None)
    return events


async def _query_both_ways(
    app: RunningApp, scripted: BackgroundServer, monkeypatch: pytest.MonkeyPatch, query: str
) -> tuple[Any, Any]:
    """``(answer, SSE events, model requests)`` through the chat path, then through OGX's."""
    paths = Paths(monkeypatch)
    results: list[Any] = []
    for layered in (False, True):
        if layered:
            paths.through_responses()
        before = paths.chat
        scripted.backend.requests.clear()
        reply = await app.client.post("/v1/query", json=quiet(query))
        assert reply.status_code == 200, reply.text
        body = reply.json()
        body.pop("conversation_id")
        stream = await app.client.post("/v1/streaming_query", json=quiet(query))
        assert stream.status_code == 200, stream.text
        results.append((body, _sse(stream.text), list(scripted.backend.requests)))
        assert paths.chat - before == (0 if layered else 4)  # two model rounds, twice
    return results[0], results[1]


@pytest.mark.parametrize(
    ("query", "tool", "output"),
    [
        ('[[tool:add {"a": 1, "b": 2}]]', "add", "3"),
        ("[[tool:list_skills {}]]", "list_skills", "hello"),
    ],
    ids=["mcp tool", "skill tool"],
)
async def test_a_query_with_tools_is_answered_the_same(
    app: RunningApp,
    scripted: BackgroundServer,
    monkeypatch: pytest.MonkeyPatch,
    query: str,
    tool: str,
    output: str,
) -> None:
    fast, layered = await _query_both_ways(app, scripted, monkeypatch, query)
    body, events, sent = fast
    assert body == layered[0]
    assert events == layered[1]
    assert sent == layered[2]  # the model server received the same two requests
    assert {t["function"]["name"] for t in sent[0]["tools"]} >= {"add", "list_skills"}
    [call_] = body["tool_calls"]
    [result] = body["tool_results"]
    assert call_["name"] == tool
    assert output in result["content"]
    assert body["response"].startswith("Tool said:")
    assert body["input_tokens"] > 0
    assert body["output_tokens"] > 0
    assert [e["event"] for e in events][:3] == ["start", "tool_call", "tool_result"]


async def test_a_plain_query_with_tools_offered_is_answered_the_same(
    app: RunningApp, scripted: BackgroundServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = Paths(monkeypatch)
    reply = await app.client.post("/v1/query", json=quiet("Say hello"))
    sent = scripted.backend.requests[-1]
    assert paths.chat == 1
    paths.through_responses()
    layered = await app.client.post("/v1/query", json=quiet("Say hello"))
    assert paths.chat == 1
    fast_body, layered_body = reply.json(), layered.json()
    for body in (fast_body, layered_body):
        body.pop("conversation_id")
    assert fast_body == layered_body
    assert sent == scripted.backend.requests[-1]
    assert {"add", "list_skills"} <= {t["function"]["name"] for t in sent["tools"]}
    # OGX's router checks those tools with adapters built once (llm/ogx_router.py)
    router = importlib.import_module("ogx.core.routers.inference")
    assert router.TypeAdapter is ogx_router.type_adapter
