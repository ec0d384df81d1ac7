"""The MiniLM encoder off the event loop: one thread per process, concurrent duplicates shared.

Every embedding of the process (OGX's embedding provider for vector search, the OKP query
vectors of the service) goes through :func:`shared_runner`:

* **One dedicated thread.** The forward pass runs in numpy with OpenBLAS limited to one
  thread (``encoder.py``), so one thread is all the encoder can use; a dedicated one never
  waits behind other work of the default executor (file reads, SQLite), needs no lock, and
  the encoder's weights are loaded by the first job in that thread. A process forked after
  the thread was started (uvicorn's workers after ``prestart``) starts its own.
* **One hop per call**: tokenizing, the forward pass and the token count
  (:meth:`~lightspeed_ogx.minilm.encoder.MiniLMEncoder.encode_counted`) run in the same
  job.
* **Concurrent duplicates share one computation.** Inline RAG over several stores asks OGX
  to search each one, and OGX embeds the question once per store; with ``okp`` among the
  sources the service embeds it once more. Calls for the same texts that arrive while the
  first is being computed (on the same event loop) await that computation instead of
  repeating it. Nothing is kept once it is done: this is not a cache, so nothing can go
  stale, and a question asked again later is embedded again.
"""

from __future__ import annotations

import asyncio
import functools
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .encoder import Array, MiniLMEncoder

Encoded = tuple["Array", int]
"""The vectors of the texts (one row each) and the number of tokens read."""


class EncoderRunner:
    """Runs one :class:`~lightspeed_ogx.minilm.encoder.MiniLMEncoder` in its own thread."""

    def __init__(self, model_dir: Path | None = None) -> None:
        self._model_dir = model_dir
        self._encoder: MiniLMEncoder | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._pid = 0
        self._running: dict[tuple[str, ...], asyncio.Future[Encoded]] = {}

    def _thread(self) -> ThreadPoolExecutor:
        if self._executor is None or self._pid != os.getpid():  # none yet, or forked since
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="minilm")
            self._pid = os.getpid()
            self._running = {}
        return self._executor

    def _ready(self) -> MiniLMEncoder:
        if self._encoder is None:
            from .encoder import shared_encoder  # numpy, safetensors, tokenizers: on first use

            self._encoder = shared_encoder(self._model_dir)
        return self._encoder

    def _encode(self, texts: list[str]) -> Encoded:
        return self._ready().encode_counted(texts)

    async def encode(self, texts: list[str]) -> Encoded:
        """Vectors and token count of ``texts``; shares a computation already under way."""
        loop = asyncio.get_running_loop()
        executor = self._thread()
        key = tuple(texts)
        running = self._running.get(key)
        if running is None or running.get_loop() is not loop:
            running = loop.run_in_executor(executor, self._encode, list(texts))
            self._running[key] = running
            running.add_done_callback(functools.partial(self._forget, key))
        # shielded: a caller that is cancelled must not cancel the others' computation
        return await asyncio.shield(running)

    def _forget(self, key: tuple[str, ...], done: asyncio.Future[Encoded]) -> None:
        if self._running.get(key) is done:
            del self._running[key]
        if not done.cancelled():
            done.exception()  # retrieved: no "never retrieved" warning when all callers left


def shared_runner(model_dir: Path | None = None) -> EncoderRunner:
    """The process's runner for the model in ``model_dir`` (the bundled one by default)."""
    return _runner(model_dir)  # one cache key for ``()`` and ``(None,)``


@functools.cache
def _runner(model_dir: Path | None) -> EncoderRunner:
    return EncoderRunner(model_dir)
