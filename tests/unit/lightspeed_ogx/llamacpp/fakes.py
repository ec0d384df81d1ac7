"""A scripted stand-in for ``llama_cpp.Llama`` with a byte-level vocabulary (no real model)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

EOS = 256
BOS = 257
_FIRST_PIECE = 258


class FakeTokenModel:
    """Implements exactly what ``generate``, ``prepare_prompt`` and the provider call.

    Vocabulary: ids 0-255 are single bytes, 256 is end-of-sequence, 257 beginning-of-sequence
    and every multi-byte piece of the script gets its own id from 258 on. ``generate`` yields
    the script, then ``filler`` forever (``delay`` seconds apart) if set, else EOS.

    Any call after :meth:`close`, and a close while a generation is running, is recorded in
    ``misuse`` (the real model would crash or decode on freed memory).
    """

    def __init__(
        self,
        script: Sequence[bytes] = (),
        *,
        n_ctx: int = 4096,
        filler: bytes | None = None,
        delay: float = 0.0,
    ) -> None:
        self.pieces: dict[int, bytes] = {}
        self.script = [self._id(piece) for piece in script]
        self.filler = None if filler is None else self._id(filler)
        self.delay = delay
        self.context = n_ctx
        self.prompts: list[list[int]] = []
        self.sampling: list[dict[str, Any]] = []
        self.yielded = 0
        self.active = 0
        self.most_active = 0
        self.close_calls = 0
        self.misuse: list[str] = []
        self.started = threading.Event()
        self.threads: list[threading.Thread] = []

    def _id(self, piece: bytes) -> int:
        if len(piece) == 1:
            return piece[0]
        for token, known in self.pieces.items():
            if known == piece:
                return token
        token = _FIRST_PIECE + len(self.pieces)
        self.pieces[token] = piece
        return token

    def _check(self, what: str) -> None:
        if self.close_calls:
            self.misuse.append(f"{what} after close")
            raise RuntimeError(f"{what} on a closed model")

    def piece(self, token: int) -> bytes:
        if token in self.pieces:
            return self.pieces[token]
        return bytes([token]) if token < EOS else b""

    # -- the llama_cpp.Llama surface ----------------------------------------------------------
    def tokenize(self, text: bytes, add_bos: bool = True, special: bool = False) -> list[int]:
        self._check("tokenize")
        return ([BOS] if add_bos else []) + list(text)

    def detokenize(self, tokens: list[int]) -> bytes:
        self._check("detokenize")
        return b"".join(self.piece(token) for token in tokens)

    def token_eos(self) -> int:
        return EOS

    def n_ctx(self) -> int:
        self._check("n_ctx")
        return self.context

    def generate(self, tokens: Sequence[int], **kwargs: Any) -> Iterator[int]:
        self._check("generate")
        self.prompts.append(list(tokens))
        self.threads.append(threading.current_thread())
        self.sampling.append(kwargs)
        return self._run()

    def close(self) -> None:
        self.close_calls += 1
        if self.active:
            self.misuse.append("close while generating")

    # -- helpers ------------------------------------------------------------------------------
    def _run(self) -> Iterator[int]:
        self.active += 1
        self.most_active = max(self.most_active, self.active)
        try:
            for token in self.script:
                yield self._next(token)
            while True:
                if self.filler is None:
                    yield self._next(EOS)
                else:
                    time.sleep(self.delay)
                    yield self._next(self.filler)
        finally:
            self.active -= 1

    def _next(self, token: int) -> int:
        self._check("decode")
        self.yielded += 1
        self.started.set()
        return token


def tokens_of(text: str) -> list[bytes]:
    """Split ``text`` into one-byte tokens (UTF-8 characters span several tokens)."""
    return [bytes([byte]) for byte in text.encode("utf-8")]
