"""The llama.cpp engine behind the provider: ``xllamacpp``'s in-process server.

``xllamacpp`` ships llama.cpp prebuilt (abi3 wheels for x86-64 with AVX2 and for arm64, no
``-march=native``), so nothing compiles at install time. It exposes llama.cpp's own server:
requests are OpenAI-shaped dicts, streaming goes through a callback that may return ``True``
to stop. :class:`XLlamaModel` adapts it to the :class:`~.generate.TokenModel` seam:

* ``tokenize`` goes to the server's ``/tokenize`` route: the wheel exposes no tokenizer call,
  but the server always listens on a loopback port. That listener is locked with a random
  API key that only this object knows (the Python calls bypass it), so no other local
  process can use the model through it.
* ``generate`` sends the prompt as token ids (counted once, by us) and relays each streamed
  chunk as ``(UTF-8 bytes, tokens it took)``: ``timings_per_token`` makes every chunk carry
  the running count of generated tokens, so counts stay exact even when the server holds
  back the pieces of a character that spans several tokens. The count is llama.cpp's own:
  it includes the end-of-sequence token (relayed as an empty piece), as its ``usage`` does.
"""

from __future__ import annotations

import json
import logging
import secrets
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .generate import ContextLengthExceededError, PieceHandler

log = logging.getLogger(__name__)
_TOKENIZE_TIMEOUT_S = 30.0


class EngineError(RuntimeError):
    """llama.cpp's server refused or failed a request."""


class XLlamaModel:
    """One GGUF model served by an in-process ``xllamacpp.Server`` (one sequence at a time)."""

    def __init__(self, path: Path, *, n_ctx: int, n_threads: int) -> None:
        try:
            import xllamacpp
        except ImportError as exc:  # the wheel links the system's OpenMP runtime
            if "libgomp" not in str(exc):
                raise
            raise ImportError(
                f"{exc} - llama.cpp needs the GNU OpenMP runtime: install libgomp1 "
                "(Debian/Ubuntu) or libgomp (Fedora/RHEL)"
            ) from exc

        params = xllamacpp.CommonParams()
        params.model.path = str(path)
        params.n_ctx = n_ctx
        params.n_parallel = 1  # one generation at a time: the provider serialises them anyway
        params.cpuparams.n_threads = n_threads
        params.cpuparams_batch.n_threads = n_threads
        params.n_threads_http = 1  # only our own /tokenize calls use the listener
        if not log.isEnabledFor(logging.DEBUG):
            params.verbosity = -1  # llama.cpp's own log (a line per request, and its errors)
        self._api_key = secrets.token_urlsafe(32)
        params.api_keys = [self._api_key]
        # the loopback listener must never be reached through an HTTP(S)_PROXY
        self._http = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            self._server: Any = xllamacpp.Server(params)
        except RuntimeError as exc:  # llama.cpp says only "Failed to init server"
            raise EngineError(
                f"llama.cpp could not load {path} (a GGUF file of a model llama.cpp supports?); "
                "LIGHTSPEED_STACK_LOG_LEVEL=DEBUG shows llama.cpp's own log"
            ) from exc
        self._url = str(self._server.listening_address)
        self._n_ctx = n_ctx
        # The server's task loop and HTTP listener start in threads of their own; a server
        # destroyed before they are running never stops (its destructor waits forever). One
        # request through each proves both are up, so close() is safe from here on.
        answer = self._server.handle_completions({"prompt": self.tokenize(b"\n"), "max_tokens": 1})
        if "error" in answer:
            raise engine_error(answer["error"])

    def n_ctx(self) -> int:
        return self._n_ctx

    def tokenize(self, text: bytes, add_bos: bool = True, special: bool = False) -> list[int]:
        body = {
            "content": text.decode("utf-8", errors="replace"),
            "add_special": add_bos,
            "parse_special": special,
        }
        request = urllib.request.Request(  # noqa: S310 - our own loopback listener
            f"{self._url}/tokenize",
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json", "X-Api-Key": self._api_key},
        )
        with self._http.open(request, timeout=_TOKENIZE_TIMEOUT_S) as response:
            tokens: list[int] = json.loads(response.read())["tokens"]
        return tokens

    def generate(
        self, tokens: Sequence[int], max_tokens: int, on_piece: PieceHandler, **sampling: Any
    ) -> None:
        request: dict[str, Any] = {
            "prompt": list(tokens),
            "max_tokens": max_tokens,
            "stream": True,
            "timings_per_token": True,
            "temperature": sampling.pop("temp"),
            **sampling,
        }
        relay = ChunkRelay(on_piece)
        answer = self._server.handle_completions(request, relay)
        relay.raise_failure()
        if isinstance(answer, dict) and "error" in answer:  # refused before streaming
            raise engine_error(answer["error"])

    def close(self) -> None:
        """Stop the server's threads and free the model (no generation may be running)."""
        self._server = None


class ChunkRelay:
    """Turns the server's streamed chunks into ``on_piece(bytes, tokens)`` calls.

    The server swallows exceptions raised in its callback, so they are kept here and
    re-raised by :meth:`raise_failure` once the server call has returned.
    """

    def __init__(self, on_piece: PieceHandler) -> None:
        self._on_piece = on_piece
        self._counted = 0
        self._failure: BaseException | None = None

    def __call__(self, chunk: dict[str, Any]) -> bool:
        """Handle one chunk; ``True`` asks the server to stop generating."""
        try:
            return self._relay(chunk)
        except BaseException as exc:  # re-raised in the caller's frame by raise_failure()
            self._failure = exc
            return True

    def _relay(self, chunk: dict[str, Any]) -> bool:
        if "error" in chunk:
            raise engine_error(chunk["error"])
        choices = chunk.get("choices") or [{}]
        text: str = choices[0].get("text") or ""
        counted = int((chunk.get("timings") or {}).get("predicted_n", self._counted))
        tokens = max(counted - self._counted, 0)
        self._counted += tokens
        if not text and not tokens:
            return False  # the closing chunk (finish reason and usage only)
        return self._on_piece(text.encode("utf-8"), tokens)

    def raise_failure(self) -> None:
        if self._failure is not None:
            raise self._failure


def engine_error(error: Any) -> Exception:
    """The exception for an ``{"error": ...}`` answer of the server."""
    if not isinstance(error, dict):
        return EngineError(str(error))
    if error.get("type") == "exceed_context_size_error":
        return ContextLengthExceededError(
            f"The prompt of {error.get('n_prompt_tokens')} tokens exceeds the context length "
            f"of {error.get('n_ctx')} tokens of this model (context_length_exceeded)."
        )
    return EngineError(str(error.get("message") or error))
