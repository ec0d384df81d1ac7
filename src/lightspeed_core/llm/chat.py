"""Plain calls through OGX's inference API: one chat completion instead of a Responses call.

A Responses call whose tools are all ``function`` tools (or none) and whose input is text
messages and our own tool loop's ``function_call`` / ``function_call_output`` items
(:func:`~lightspeed_core.llm.chat_input.plain`) is, inside OGX, one streamed chat completion
wrapped in the Responses layer (response objects, a dozen stream events, output items):
about half of OGX's CPU for such a call. :func:`chat_events` makes that chat completion, with
the request OGX's Responses layer sends (``max_completion_tokens``, usage in the stream, the
tools in chat format, ``parallel_tool_calls`` with them), and yields the events
:func:`~lightspeed_core.llm.normalize.normalize_stream` would have yielded for it:

* the text deltas, cut where OGX's Responses layer cuts them (it holds back a trailing space
  or ``[``/``(``/``<`` that might start a citation marker until the next piece arrives);
* for each tool call, once the answer is complete and when tools were offered, a
  ``function_call`` ``ToolCall`` (id: the provider's call id) and its empty ``ToolResult``,
  numbered rounds 1, 2 ... as ``normalize_stream`` numbers consecutive tool items;
* ``Completed`` with the usage summed over the chunks that carry one, status ``incomplete``
  when the answer stopped at its length limit, and a ``resp_`` id.

A call of ``web_search``, ``file_search`` or ``knowledge_search`` that is not an offered
function would be run by OGX's Responses layer as its own built-in tool: when nothing has been
streamed yet, :class:`NotPlain` says to make the call through the Responses layer instead.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from lightspeed_core.llm.base import ResponseRequest
from lightspeed_core.llm.chat_input import chat_messages, chat_tools, plain
from lightspeed_core.llm.events import Completed, LLMEvent, TextDelta, Usage
from lightspeed_core.llm.failures import classify
from lightspeed_core.llm.normalize import tool_events

__all__ = ["NotPlain", "chat_events", "chat_params", "plain"]

# OGX's Responses layer (``StreamingCitationCleaner``, no cited files): the end of the text so
# far that might still become a citation marker is held back until more text arrives
_PENDING_TAIL = re.compile(
    r"(?: ?<(?:\|(?:file-[A-Za-z0-9_-]*)?)?| ?\[(?:file-[A-Za-z0-9_-]*)?"
    r"| ?\((?:file-[A-Za-z0-9_-]*)?| )$"
)
_BUILTIN_NAMES = frozenset({"web_search", "knowledge_search", "file_search"})
# what OGX's Responses layer reports when it cannot build a function call item
_SERVER_ERROR = "An unexpected error occurred while generating the response."


class NotPlain(Exception):
    """Raised before any event: this call must go through OGX's Responses layer."""


class _NoFunction(Exception):
    """A tool call without a function: OGX's Responses layer fails the response."""


class HeldBack:
    """Text deltas cut as OGX's Responses layer cuts them (no cited files)."""

    def __init__(self) -> None:
        self._buffer = ""

    def feed(self, delta: str) -> str:
        """The part of the text so far that is safe to stream now."""
        self._buffer += delta
        pending = _PENDING_TAIL.search(self._buffer)
        upto = pending.start() if pending else len(self._buffer)
        ready, self._buffer = self._buffer[:upto], self._buffer[upto:]
        return ready

    def flush(self) -> str:
        ready, self._buffer = self._buffer, ""
        return ready


@dataclass(slots=True)
class _Call:
    """One tool call being assembled from the stream (as OGX assembles it)."""

    id: str | None
    name: str | None
    arguments: str


@dataclass(frozen=True, slots=True)
class _FunctionCallItem:
    """The ``function_call`` output item OGX's Responses layer makes of a call."""

    id: str
    call_id: str
    name: str
    arguments: str
    type: str = "function_call"


def chat_params(request: ResponseRequest, *, stream: bool) -> Any:
    """OGX's chat-completion request for ``request`` (instructions as the system message)."""
    from ogx_api.inference.models import OpenAIChatCompletionRequestWithExtraBody

    tools = chat_tools(request)
    return OpenAIChatCompletionRequestWithExtraBody(
        model=request.model,
        messages=chat_messages(request),
        tools=tools,
        parallel_tool_calls=True if tools else None,  # OGX's default, sent only with tools
        max_completion_tokens=request.max_output_tokens,
        temperature=request.temperature,
        stream=stream,
        stream_options={"include_usage": True} if stream else None,
    )


def _collect(calls: dict[int, _Call], deltas: Any) -> list[str | None]:
    """Add a chunk's tool-call deltas to ``calls``; the names of the calls that start here."""
    started: list[str | None] = []
    for delta in deltas:
        function = getattr(delta, "function", None)
        name = getattr(function, "name", None)
        arguments = getattr(function, "arguments", None)
        call = calls.get(delta.index)
        if call is None and function is None:
            raise _NoFunction
        if call is None:  # OGX keeps the first delta's id and name
            calls[delta.index] = _Call(getattr(delta, "id", None), name, arguments or "")
            started.append(name)
        elif arguments:
            call.arguments += arguments
    return started


def _tool_events(
    model: str, calls: dict[int, _Call], recorded: list[BaseException] | None
) -> list[LLMEvent]:
    events: list[LLMEvent] = []
    for round_, index in enumerate(sorted(calls), start=1):
        call = calls[index]
        if call.id is None:  # OGX's function call item needs one: the response fails
            raise classify(model, "server_error", _SERVER_ERROR, recorded)
        item = _FunctionCallItem(
            f"fc_{uuid.uuid4()}", call.id, call.name or "", call.arguments or "{}"
        )
        pair = tool_events(item, round_)
        assert pair is not None
        events.extend(pair)
    return events


async def chat_events(
    inference: Any, request: ResponseRequest, recorded: list[BaseException] | None = None
) -> AsyncIterator[LLMEvent]:
    """Stream ``request`` as one chat completion of OGX's inference router."""
    chunks = await inference.openai_chat_completion(chat_params(request, stream=True))
    try:
        async for event in _events(chunks, request, recorded):
            yield event
    finally:
        close = getattr(chunks, "aclose", None)
        if close is not None:
            await close()


async def _events(
    chunks: AsyncIterator[Any], request: ResponseRequest, recorded: list[BaseException] | None
) -> AsyncIterator[LLMEvent]:
    offered = {str(tool.get("name")) for tool in request.tools}
    builtin = _BUILTIN_NAMES - offered if request.tools else frozenset()
    text: list[str] = []
    held = HeldBack()
    calls: dict[int, _Call] = {}
    usage = Usage()
    finish: str | None = None
    streamed = False
    async for chunk in chunks:
        used = getattr(chunk, "usage", None)
        if used is not None:  # OGX adds up every chunk's usage
            usage = Usage(
                usage.input_tokens + int(used.prompt_tokens or 0),
                usage.output_tokens + int(used.completion_tokens or 0),
            )
        for choice in getattr(chunk, "choices", None) or ():
            delta = getattr(choice, "delta", None)
            content = getattr(delta, "content", None)
            if content:
                streamed = True
                ready = held.feed(content)
                if ready:
                    text.append(ready)
                    yield TextDelta(ready)
            finish = getattr(choice, "finish_reason", None) or finish
            tool_deltas = getattr(delta, "tool_calls", None)
            if tool_deltas:
                try:
                    names = _collect(calls, tool_deltas)
                except _NoFunction:
                    raise classify(request.model, "server_error", _SERVER_ERROR, recorded) from None
                if not text and builtin.intersection(names):  # nothing streamed yet: OGX runs it
                    raise NotPlain(names)
    if streamed and (rest := held.flush()):
        text.append(rest)
        yield TextDelta(rest)
    if request.tools:  # without tools OGX's Responses layer ignores the model's tool calls
        for event in _tool_events(request.model, calls, recorded):
            yield event
    status = "incomplete" if finish == "length" else "completed"
    yield Completed("".join(text), usage, status, f"resp_{uuid.uuid4()}")
