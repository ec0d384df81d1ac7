"""A fake of OGX's inference port that streams chat-completion chunks a test writes.

``ScriptedInference(answer)`` answers every ``openai_chat_completion`` with the same chunks
(the OpenAI SDK's ``ChatCompletionChunk``, as OGX's OpenAI-compatible providers yield them:
a tool call's name and arguments may be missing from a delta) and records the request.
Helpers build the chunks: text pieces, tool-call deltas, a finish reason, a usage chunk.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

Chunk = dict[str, Any]


def text(piece: str) -> Chunk:
    return {"delta": {"content": piece}}


def call(
    index: int, *, id: str | None = None, name: str | None = None, arguments: str | None = None
) -> Chunk:
    function: dict[str, Any] = {}
    if name is not None:
        function["name"] = name
    if arguments is not None:
        function["arguments"] = arguments
    delta: dict[str, Any] = {"index": index, "function": function}
    if id is not None:
        delta["id"] = id
    return {"delta": {"tool_calls": [delta]}}


def finish(reason: str) -> Chunk:
    return {"delta": {}, "finish_reason": reason}


def usage(prompt: int, completion: int) -> Chunk:
    return {"usage": (prompt, completion)}


def _model(spec: Chunk) -> Any:
    from openai.types.chat import ChatCompletionChunk

    body: dict[str, Any] = {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "fake",
        "choices": [],
    }
    if "usage" in spec:
        prompt, completion = spec["usage"]
        body["usage"] = {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        }
    else:
        choice = {"index": 0, "delta": spec["delta"], "finish_reason": spec.get("finish_reason")}
        body["choices"] = [choice]
    return ChatCompletionChunk.model_validate(body)


class ScriptedInference:
    """``openai_chat_completion`` streams ``answer``; ``requests`` are the requests received."""

    def __init__(self, answer: list[Chunk]) -> None:
        self.answer = answer
        self.requests: list[Any] = []

    async def openai_chat_completion(self, params: Any) -> AsyncIterator[Any]:
        self.requests.append(params.model_copy(deep=True))
        return self._stream()

    async def _stream(self) -> AsyncIterator[Any]:
        for spec in self.answer:
            yield _model(spec)
