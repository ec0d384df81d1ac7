"""Helpers that drive the provider's chat-completion entry point with real OGX requests."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from typing import Any

from ogx_api import (
    OpenAIChatCompletion,
    OpenAIChatCompletionRequestWithExtraBody,
    OpenAIUserMessageParam,
)

from lightspeed_ogx.llamacpp.impl import LlamaCppInference

Make = Callable[..., LlamaCppInference]
"""``make(model, **config)``: a provider on ``model`` (a fake or None), shut down after the test."""


def request(question: str = "Why?", /, **fields: Any) -> Any:
    """A chat-completion request with one user message; ``fields`` go into the request."""
    return OpenAIChatCompletionRequestWithExtraBody(
        model="gemma-3-270m", messages=[OpenAIUserMessageParam(content=question)], **fields
    )


async def complete(impl: LlamaCppInference, params: Any) -> Any:
    result = await impl.openai_chat_completion(params)
    assert isinstance(result, OpenAIChatCompletion)
    return result


async def open_stream(impl: LlamaCppInference, params: Any) -> AsyncGenerator[Any, None]:
    result = await impl.openai_chat_completion(params)
    assert isinstance(result, AsyncGenerator)
    return result


async def stream(impl: LlamaCppInference, params: Any) -> list[Any]:
    return [chunk async for chunk in await open_stream(impl, params)]


def content(chunks: list[Any]) -> str:
    """The concatenated content deltas of streamed chunks."""
    return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
