"""A scripted stand-in for the llama.cpp engine with a byte-level vocabulary (no real model)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

from lightspeed_ogx.llamacpp.generate import PieceHandler

BOS = 257
_FIRST_PIECE = 258


class FakeTokenModel:
    """Implements exactly what ``generate``, ``prepare_prompt`` and the provider call.

    Vocabulary: ids 0-255 are single bytes, 257 is beginning-of-sequence and every multi-byte
    piece of the script gets its own id from 258 on. ``generate`` pushes the script, one
    piece per token, then ``filler`` forever (``delay`` seconds apart) if set, else ends (end
    of sequence); like the real engine it also ends after ``max_tokens`` tokens, or when the
    handler returns ``True``.

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
        return bytes([token]) if token < 256 else b""

    # -- the engine surface (generate.TokenModel) ---------------------------------------------
    def tokenize(self, text: bytes, add_bos: bool = True, special: bool = False) -> list[int]:
        self._check("tokenize")
        return ([BOS] if add_bos else []) + list(text)

    def n_ctx(self) -> int:
        self._check("n_ctx")
        return self.context

    def generate(
        self, tokens: Sequence[int], max_tokens: int, on_piece: PieceHandler, **kwargs: Any
    ) -> None:
        self._check("generate")
        self.prompts.append(list(tokens))
        self.threads.append(threading.current_thread())
        self.sampling.append(kwargs)
        self.active += 1
        self.most_active = max(self.most_active, self.active)
        try:
            for token in self._tokens(max_tokens):
                self._check("decode")
                self.yielded += 1
                self.started.set()
                if on_piece(self.piece(token), 1):
                    return
        finally:
            self.active -= 1

    def close(self) -> None:
        self.close_calls += 1
        if self.active:
            self.misuse.append("close while generating")

    # -- helpers ------------------------------------------------------------------------------
    def _tokens(self, max_tokens: int) -> Iterator[int]:
        produced = 0
        for token in self.script:
            if produced >= max_tokens:
                return
            produced += 1
            yield token
        while self.filler is not None and produced < max_tokens:
            time.sleep(self.delay)
            produced += 1
            yield self.filler


class PieceRecorder:
    """An ``on_piece`` handler that records ``(bytes, tokens)``; stops after ``stop_after``."""

    def __init__(self, stop_after: int | None = None) -> None:
        self.pieces: list[tuple[bytes, int]] = []
        self.stop_after = stop_after

    def __call__(self, piece: bytes, tokens: int) -> bool:
        self.pieces.append((piece, tokens))
        return self.stop_after is not None and len(self.pieces) >= self.stop_after

    @property
    def tokens(self) -> int:
        return sum(tokens for _, tokens in self.pieces)

    @property
    def text(self) -> str:
        return b"".join(piece for piece, _ in self.pieces).decode("utf-8")


def tokens_of(text: str) -> list[bytes]:
    """Split ``text`` into one-byte tokens (UTF-8 characters span several tokens)."""
    return [bytes([byte]) for byte in text.encode("utf-8")]
