"""Relaying llama.cpp's streamed chunks to the generator (no model: chunks as the server sends).

The chunk shapes are those of ``xllamacpp.Server.handle_completions`` with ``stream`` and
``timings_per_token`` (observed with Gemma 3 270M): one chunk per token with its text and the
running ``predicted_n``; no chunk for a token that ends inside a UTF-8 character (the
next chunk carries the whole character and the jump in ``predicted_n``); an empty-text chunk
for the end-of-sequence token; a closing chunk with the finish reason and usage.
"""

from __future__ import annotations

from typing import Any

import pytest

from lightspeed_ogx.llamacpp.engine import ChunkRelay, EngineError, engine_error
from lightspeed_ogx.llamacpp.generate import ContextLengthExceededError

from .fakes import PieceRecorder


def chunk(text: str, predicted: int, finish: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "choices": [{"text": text, "index": 0, "logprobs": None, "finish_reason": finish}],
        "timings": {"prompt_n": 9, "cache_n": 0, "predicted_n": predicted},
    }
    if finish is not None:
        body["usage"] = {"completion_tokens": predicted, "prompt_tokens": 9}
    return body


def relay_all(chunks: list[dict[str, Any]], recorder: PieceRecorder) -> list[bool]:
    relay = ChunkRelay(recorder)
    answers = [relay(c) for c in chunks]
    relay.raise_failure()
    return answers


def test_each_chunk_becomes_a_piece_with_the_tokens_it_took() -> None:
    recorder = PieceRecorder()
    chunks = [chunk(" Pods", 1), chunk(" 🦙", 5), chunk("", 6), chunk("", 6, "stop")]
    assert relay_all(chunks, recorder) == [False, False, False, False]
    assert recorder.pieces == [(b" Pods", 1), (" 🦙".encode(), 4), (b"", 1)]
    assert sum(tokens for _, tokens in recorder.pieces) == 6  # the server's own usage


def test_the_closing_chunk_is_relayed_when_it_still_carries_text() -> None:
    recorder = PieceRecorder()
    relay_all([chunk("a", 1), chunk("b", 2, "length")], recorder)
    assert recorder.pieces == [(b"a", 1), (b"b", 1)]


def test_a_chunk_without_timings_counts_no_token() -> None:
    recorder = PieceRecorder()
    relay_all([{"choices": [{"text": "x", "finish_reason": None}]}], recorder)
    assert recorder.pieces == [(b"x", 0)]


def test_the_handler_stops_the_server() -> None:
    recorder = PieceRecorder(stop_after=2)
    assert relay_all([chunk("a", 1), chunk("b", 2)], recorder) == [False, True]


def test_an_exception_in_the_handler_stops_the_server_and_is_raised_afterwards() -> None:
    def failing(piece: bytes, tokens: int) -> bool:
        raise RuntimeError("event loop closed")

    relay = ChunkRelay(failing)
    assert relay(chunk("a", 1)) is True
    with pytest.raises(RuntimeError, match="event loop closed"):
        relay.raise_failure()


def test_a_context_overflow_error_chunk_becomes_the_context_length_error() -> None:
    error = {
        "code": 400,
        "message": "request (5002 tokens) exceeds the available context size (4096 tokens)",
        "type": "exceed_context_size_error",
        "n_prompt_tokens": 5002,
        "n_ctx": 4096,
    }
    relay = ChunkRelay(PieceRecorder())
    assert relay({"error": error}) is True
    with pytest.raises(ContextLengthExceededError) as caught:
        relay.raise_failure()
    message = str(caught.value)
    assert "5002 tokens exceeds the context length of 4096" in message
    assert "context_length_exceeded" in message


def test_other_server_errors_keep_their_message() -> None:
    failure = engine_error({"code": 500, "message": "decode failed", "type": "server_error"})
    assert isinstance(failure, EngineError)
    assert str(failure) == "decode failed"
    assert str(engine_error("plain text")) == "plain text"
