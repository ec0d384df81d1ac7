"""Token generation: stop sequences, exact token counts, cancellation.

Runs in a worker thread, reporting text deltas through a callback. The engine pushes what it
generates, piece by piece, into :class:`_Run`; kept free of OGX and engine types so it can be
tested on its own with a scripted model.
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


PieceHandler = Callable[[bytes, int], bool]
"""``on_piece(text, tokens) -> stop``: UTF-8 bytes of the output and how many tokens they took
(a character may span several tokens, a token may render as nothing). ``True`` stops the
generation."""


class TokenModel(Protocol):
    """What the generator needs from an engine (``engine.XLlamaModel``; a test double)."""

    def tokenize(self, text: bytes, add_bos: bool = True, special: bool = False) -> list[int]: ...
    def n_ctx(self) -> int: ...
    def generate(
        self, tokens: Sequence[int], max_tokens: int, on_piece: PieceHandler, **sampling: Any
    ) -> None:
        """Generate after ``tokens``, pushing each piece of output to ``on_piece``.

        Ends at end of sequence, after ``max_tokens`` tokens, or when ``on_piece`` returns
        ``True``. ``sampling``: ``temp``, ``repeat_penalty`` and, for greedy decoding,
        ``top_k``.
        """
        ...

    def close(self) -> None: ...


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
    run = _Run(options, emit, cancel)
    sampling: dict[str, Any] = {
        "temp": options.temperature,
        "repeat_penalty": options.repeat_penalty,
    }
    if options.temperature <= 0:
        sampling["top_k"] = 1
    model.generate(tokens, options.max_tokens, run.feed, **sampling)
    return run.result(len(tokens))


class _Run:
    """The state of one generation, fed piece by piece by the engine."""

    def __init__(
        self, options: GenerationOptions, emit: Callable[[str], None], cancel: threading.Event
    ) -> None:
        self.options = options
        self.emit = emit
        self.cancel = cancel
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self.hold = max((len(s) for s in options.stop), default=1) - 1
        self.text = ""
        self.sent = 0
        self.count = 0
        self.finish: str | None = None

    def feed(self, piece: bytes, tokens: int) -> bool:
        """Take the next piece of output; ``True`` means stop generating."""
        if self.cancel.is_set():
            self.finish = "stop"
            return True
        self.count += tokens
        self.text += self.decoder.decode(piece)
        if self.sent == 0 and self.text.strip() == "":
            self.text = ""  # drop leading whitespace before the first visible character
        elif self.sent == 0:
            self.text = self.text.lstrip()
        stops = self.options.stop
        cut = _find_stop(self.text, stops, max(0, self.sent - self.hold))
        if cut is not None:
            self.text = self.text[:cut]
            self.finish = "stop"
            return True
        safe = len(self.text) - _pending_stop_prefix(self.text, stops)
        if safe > self.sent:
            self.emit(self.text[self.sent : safe])
            self.sent = safe
        if self.count >= self.options.max_tokens:
            self.finish = "length"
            return True
        return False

    def result(self, prompt_tokens: int) -> GenerationResult:
        """Flush what was held back (a stop prefix that never completed) and sum up."""
        tail = self.text[self.sent :].rstrip()
        if tail:
            self.emit(tail)
        # the engine ended on its own: end of sequence, or the token limit it was given
        finish = self.finish or ("length" if self.count >= self.options.max_tokens else "stop")
        return GenerationResult(self.text[: self.sent] + tail, prompt_tokens, self.count, finish)


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
