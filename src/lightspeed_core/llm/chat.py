"""Plain calls through OGX's inference API: one chat completion instead of a Responses call.

A Responses call that offers no tools, asks for no raw OGX events and carries only text
messages is, inside OGX, one streamed chat completion wrapped in the Responses layer
(response objects, a dozen stream events, output items): about half of OGX's CPU for such
a call. :func:`plain` says when a request is such a call; :func:`chat_events` then makes the
chat completion and yields the events :func:`~lightspeed_core.llm.normalize.normalize_stream`
would have yielded for it: the text deltas, then ``Completed`` with the usage, status
``incomplete`` when the answer stopped at its length limit (as OGX's Responses layer
reports it), and a ``resp_`` id. The parameters are the ones OGX's Responses layer sends
(``max_completion_tokens``, usage in the stream), so the provider sees the same request.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

from lightspeed_core.llm.base import ResponseRequest, chat_messages
from lightspeed_core.llm.events import Completed, LLMEvent, TextDelta, Usage

_ROLES = frozenset({"user", "assistant", "system"})


def _text_message(item: dict[str, Any]) -> bool:
    return (
        item.get("type", "message") == "message"
        and item.get("role") in _ROLES
        and isinstance(item.get("content"), str)
        and set(item) <= {"type", "role", "content"}
    )


def plain(request: ResponseRequest) -> bool:
    """Whether ``request`` is one chat completion in OGX (no tools, text messages only)."""
    if request.tools or request.raw_events != "none" or request.include or request.extra:
        return False
    return all(_text_message(item) for item in request.input)


def chat_params(request: ResponseRequest, *, stream: bool) -> Any:
    """OGX's chat-completion request for ``request`` (instructions as the system message)."""
    from ogx_api.inference.models import OpenAIChatCompletionRequestWithExtraBody

    return OpenAIChatCompletionRequestWithExtraBody(
        model=request.model,
        messages=chat_messages(request),
        max_completion_tokens=request.max_output_tokens,
        temperature=request.temperature,
        stream=stream,
        stream_options={"include_usage": True} if stream else None,
    )


async def chat_events(inference: Any, request: ResponseRequest) -> AsyncIterator[LLMEvent]:
    """Stream ``request`` as one chat completion of OGX's inference router."""
    chunks = await inference.openai_chat_completion(chat_params(request, stream=True))
    text: list[str] = []
    usage = Usage()
    finish: str | None = None
    async for chunk in chunks:
        for choice in getattr(chunk, "choices", None) or ():
            delta = getattr(getattr(choice, "delta", None), "content", None)
            if delta:
                text.append(delta)
                yield TextDelta(delta)
            finish = getattr(choice, "finish_reason", None) or finish
        used = getattr(chunk, "usage", None)
        if used is not None:
            usage = Usage(int(used.prompt_tokens or 0), int(used.completion_tokens or 0))
    status = "incomplete" if finish == "length" else "completed"
    yield Completed("".join(text), usage, status, f"resp_{uuid.uuid4()}")
