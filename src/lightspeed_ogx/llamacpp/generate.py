"""Token generation with llama.cpp: stop sequences, exact token counts, cancellation.

Runs in a worker thread (llama.cpp's ctypes calls release the GIL), reporting text deltas
through a callback. Kept free of OGX types so it can be tested on its own.
"""

from __future__ import annotations

import codecs
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol


class ContextLengthExceededError(ValueError):
    """The prompt does not fit the model's context window.

    The message contains "context length" so callers that map backend errors by text
    (as the reference service does) recognise it.
    """


class TokenModel(Protocol):
    """The part of ``llama_cpp.Llama`` the generator uses (a test double can provide it)."""

    def tokenize(self, text: bytes, add_bos: bool = True, special: bool = False) -> list[int]: ...
    def detokenize(self, tokens: list[int]) -> bytes: ...
    def token_eos(self) -> int: ...
    def n_ctx(self) -> int: ...
    def generate(self, tokens: Sequence[int], **kwargs: Any) -> Any: ...


@dataclass(frozen=True)
class GenerationOptions:
    """Per-call sampling settings."""

    max_tokens: int
    temperature: float
    repeat_penalty: float
    stop: tuple[str, ...]


@dataclass(frozen=True)
class GenerationResult:
    """What one generation produced."""

    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str  # "stop" | "length"


def prepare_prompt(model: TokenModel, prompt: str, max_tokens: int) -> tuple[list[int], int]:
    """Tokenize ``prompt`` and clamp ``max_tokens`` to what the context window leaves."""
    tokens = model.tokenize(prompt.encode("utf-8"), add_bos=True)
    room = model.n_ctx() - len(tokens)
    if room <= 0:
        raise ContextLengthExceededError(
            f"The prompt of {len(tokens)} tokens exceeds the context length of "
            f"{model.n_ctx()} tokens of this model (context_length_exceeded)."
        )
    return tokens, min(max_tokens, room)


def generate(
    model: TokenModel,
    tokens: list[int],
    options: GenerationOptions,
    emit: Callable[[str], None],
    cancel: threading.Event,
) -> GenerationResult:
    """Generate up to ``options.max_tokens`` tokens, calling ``emit`` with text deltas.

    Text that could still turn out to be the start of a stop sequence is held back until it
    is disambiguated, so no delta ever contains (part of) a stop sequence. Leading
    whitespace of the answer is dropped.
    """
    eos = model.token_eos()
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    hold = max((len(s) for s in options.stop), default=1) - 1
    text = ""
    sent = 0
    count = 0
    finish = "length"
    sampling = {"temp": options.temperature, "repeat_penalty": options.repeat_penalty}
    if options.temperature <= 0:
        sampling["top_k"] = 1
    for token in model.generate(tokens, reset=True, **sampling):
        if cancel.is_set() or token == eos:
            finish = "stop"
            break
        count += 1
        text += decoder.decode(model.detokenize([token]))
        if sent == 0 and text.strip() == "":
            text = ""  # drop leading whitespace before the first visible character
        elif sent == 0:
            text = text.lstrip()
        cut = _find_stop(text, options.stop, max(0, sent - hold))
        if cut is not None:
            text = text[:cut]
            finish = "stop"
            break
        safe = len(text) - _pending_stop_prefix(text, options.stop)
        if safe > sent:
            emit(text[sent:safe])
            sent = safe
        if count >= options.max_tokens:
            break
    tail = text[sent:].rstrip()
    if tail:
        emit(tail)
    return GenerationResult(text[:sent] + tail, len(tokens), count, finish)


def _pending_stop_prefix(text: str, stops: Sequence[str]) -> int:
    """Length of the longest tail of ``text`` that could still grow into a stop sequence."""
    longest = 0
    for stop in stops:
        for size in range(min(len(stop) - 1, len(text)), longest, -1):
            if text.endswith(stop[:size]):
                longest = size
                break
    return longest


def _find_stop(text: str, stops: Sequence[str], start: int) -> int | None:
    found = [i for s in stops if s and (i := text.find(s, start)) >= 0]
    return min(found) if found else None
