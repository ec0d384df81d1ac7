"""Token generation: context bounds, stop hold-back, whitespace, UTF-8, usage, cancellation."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest

from lightspeed_ogx.llamacpp.config import DEFAULT_STOP_SEQUENCES
from lightspeed_ogx.llamacpp.generate import (
    ContextLengthExceededError,
    GenerationOptions,
    GenerationResult,
    generate,
    prepare_prompt,
)

from .fakes import BOS, FakeTokenModel, tokens_of


def run(
    model: FakeTokenModel,
    *,
    max_tokens: int = 100,
    stop: Sequence[str] = DEFAULT_STOP_SEQUENCES,
    temperature: float = 0.0,
    cancel: threading.Event | None = None,
    prompt: str = "Question: Q\nAnswer:",
) -> tuple[list[str], GenerationResult]:
    deltas: list[str] = []
    tokens, bounded = prepare_prompt(model, prompt, max_tokens)
    options = GenerationOptions(bounded, temperature, 1.3, tuple(stop))
    result = generate(model, tokens, options, deltas.append, cancel or threading.Event())
    assert "".join(deltas) == result.text
    return deltas, result


def test_prepare_prompt_tokenizes_with_bos_and_keeps_max_tokens_that_fit() -> None:
    tokens, max_tokens = prepare_prompt(FakeTokenModel(n_ctx=64), "abc", 10)
    assert tokens == [BOS, *b"abc"]
    assert max_tokens == 10


def test_max_tokens_is_bounded_by_the_remaining_context() -> None:
    model = FakeTokenModel(n_ctx=16, filler=b"a")
    tokens, max_tokens = prepare_prompt(model, "0123456789", 100)
    assert (len(tokens), max_tokens) == (11, 5)
    _, result = run(model, prompt="0123456789")
    assert (result.text, result.completion_tokens, result.finish_reason) == ("aaaaa", 5, "length")
    assert result.prompt_tokens + result.completion_tokens == 16


@pytest.mark.parametrize("n_ctx", [11, 5])
def test_a_prompt_that_fills_the_context_is_rejected(n_ctx: int) -> None:
    model = FakeTokenModel(n_ctx=n_ctx)
    with pytest.raises(ContextLengthExceededError) as caught:
        prepare_prompt(model, "0123456789", 10)
    assert isinstance(caught.value, ValueError)
    message = str(caught.value)
    assert "context_length_exceeded" in message
    assert "context length" in message
    assert f"11 tokens exceeds the context length of {n_ctx}" in message
    assert model.sampling == []


def test_end_of_sequence_finishes_with_stop_and_exact_usage() -> None:
    model = FakeTokenModel([b"Pods", b" run", b" containers."])
    deltas, result = run(model)
    assert deltas == ["Pods", " run", " containers."]
    prompt_tokens = 1 + len("Question: Q\nAnswer:")
    assert result == GenerationResult("Pods run containers.", prompt_tokens, 3, "stop")
    assert model.prompts == [[BOS, *b"Question: Q\nAnswer:"]]


def test_max_tokens_finishes_with_length() -> None:
    deltas, result = run(FakeTokenModel(filler=b"ab"), max_tokens=3)
    assert deltas == ["ab", "ab", "ab"]
    assert (result.completion_tokens, result.finish_reason) == (3, "length")


def test_stop_sequence_split_across_tokens_never_reaches_a_delta() -> None:
    model = FakeTokenModel([b"It", b" works", b".\nQue", b"sti", b"on:", b" Next?"])
    deltas, result = run(model)
    assert deltas == ["It", " works", "."]
    assert (result.text, result.completion_tokens, result.finish_reason) == (
        "It works.",
        5,
        "stop",
    )


@pytest.mark.parametrize("stop", [*DEFAULT_STOP_SEQUENCES, "END", "ab"])
def test_no_delta_contains_a_stop_whatever_the_token_boundaries(stop: str) -> None:
    answer = "Xa b\nQ\nQuest Answer"
    stops = (*DEFAULT_STOP_SEQUENCES, stop)
    text = answer + stop + "tail"
    for first in range(1, len(text)):
        for second in range(first + 1, len(text) + 1):
            pieces = [text[:first], text[first:second], text[second:]]
            model = FakeTokenModel([p.encode() for p in pieces if p])
            deltas, result = run(model, stop=stops)
            assert result.text == answer.rstrip(), pieces
            assert result.finish_reason == "stop"
            for delta in deltas:
                assert not any(s in delta for s in stops), (pieces, deltas)


def test_stop_found_on_byte_level_tokens() -> None:
    deltas, result = run(FakeTokenModel(tokens_of("One.\n\nTwo.")))
    assert "".join(deltas) == result.text == "One."
    assert result.completion_tokens == len("One.\n\n")
    assert all("\n" not in delta for delta in deltas)


def test_a_held_back_prefix_is_released_once_it_cannot_be_a_stop() -> None:
    deltas, result = run(FakeTokenModel([b"a", b"\n", b"Q", b"x", b"!"]))
    assert deltas == ["a", "\nQx", "!"]
    assert result.text == "a\nQx!"


def test_leading_whitespace_is_dropped() -> None:
    model = FakeTokenModel([b" ", b"\n\n", b"\t Hi", b" there"])
    deltas, result = run(model)
    assert deltas == ["Hi", " there"]
    assert (result.text, result.completion_tokens) == ("Hi there", 4)


def test_trailing_whitespace_at_the_end_is_not_emitted() -> None:
    deltas, result = run(FakeTokenModel([b"Hi", b"\n"]))
    assert deltas == ["Hi"]
    assert (result.text, result.completion_tokens, result.finish_reason) == ("Hi", 2, "stop")


def test_a_whitespace_only_answer_is_empty() -> None:
    deltas, result = run(FakeTokenModel([b" ", b"\n", b" "]))
    assert deltas == []
    assert (result.text, result.completion_tokens, result.finish_reason) == ("", 3, "stop")


@pytest.mark.parametrize("text", ["héllo wörld €", "日本語", "ok 👍 done", "🎉"])
def test_multibyte_utf8_split_across_tokens_decodes_exactly(text: str) -> None:
    deltas, result = run(FakeTokenModel(tokens_of(text)))
    assert result.text == text
    assert "\ufffd" not in "".join(deltas)
    assert result.completion_tokens == len(text.encode())


def test_a_character_split_into_uneven_pieces_decodes_exactly() -> None:
    encoded = "a👍b".encode()
    deltas, result = run(FakeTokenModel([encoded[:2], encoded[2:4], encoded[4:]]))
    assert deltas == ["a", "👍b"]
    assert result.text == "a👍b"


def test_without_stop_sequences_every_token_is_emitted_at_once() -> None:
    deltas, result = run(FakeTokenModel([b"a", b"\n", b"\n", b"b"]), stop=())
    assert deltas == ["a", "\n", "\n", "b"]
    assert result.text == "a\n\nb"


def test_cancel_set_before_the_first_token_generates_nothing() -> None:
    cancel = threading.Event()
    cancel.set()
    deltas, result = run(FakeTokenModel(filler=b"a"), cancel=cancel)
    assert deltas == []
    assert (result.text, result.completion_tokens, result.finish_reason) == ("", 0, "stop")


def test_cancel_stops_generation_at_the_next_token() -> None:
    model = FakeTokenModel(filler=b"a")
    cancel = threading.Event()
    deltas: list[str] = []

    def emit(delta: str) -> None:
        deltas.append(delta)
        if len(deltas) == 3:
            cancel.set()

    tokens, _ = prepare_prompt(model, "Q", 1000)
    result = generate(model, tokens, GenerationOptions(1000, 0.0, 1.0, ()), emit, cancel)
    assert deltas == ["a", "a", "a"]
    assert (result.completion_tokens, result.finish_reason) == (3, "stop")
    assert model.yielded == 4
    assert model.active == 0


def test_greedy_decoding_pins_top_k() -> None:
    model = FakeTokenModel([b"x"])
    run(model, temperature=0.0)
    run(model, temperature=0.7)
    assert model.sampling == [
        {"temp": 0.0, "repeat_penalty": 1.3, "top_k": 1},
        {"temp": 0.7, "repeat_penalty": 1.3},
    ]
