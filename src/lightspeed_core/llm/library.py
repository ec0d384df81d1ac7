"""Library mode: OGX runs inside this process.

The stack is built by OGX's ``AsyncOGXAsLibraryClient`` from a run config file. Catalog
calls go through that client; the hot path (Responses) calls the stack's Responses
implementation directly, which skips the client's in-process HTTP emulation (JSON encode,
route matching, re-parse): measured 9.1 ms vs 15.5 ms per streamed stateless call.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import importlib.metadata
import io
import logging
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path
from typing import Any

from lightspeed_core.errors import BackendUnavailableError, LightspeedError
from lightspeed_core.llm.base import ModelInfo, ProviderInfo, ResponseRequest
from lightspeed_core.llm.catalog import parse_model, parse_provider, unwrap_list
from lightspeed_core.llm.events import LLMEvent
from lightspeed_core.llm.failures import (
    classify_exception,
    record_inference_errors,
    start_recording,
)
from lightspeed_core.llm.normalize import normalize_stream
from lightspeed_core.llm.own_task import in_own_task
from lightspeed_core.log import preserved_logging

log = logging.getLogger(__name__)
_OGX_STREAMING_LOGGER = "ogx.providers.inline.responses.builtin.responses.streaming"


def _drop_per_call_noise(record: logging.LogRecord) -> bool:
    """OGX warns "Service tier is None" on every call to backends that omit the field."""
    return "Service tier is None" not in str(record.msg)


def build_create_request(request: ResponseRequest) -> dict[str, Any]:
    """Keyword arguments of one stateless, streamed Responses call."""
    body: dict[str, Any] = {
        "model": request.model,
        "input": request.input,
        "store": False,
        "stream": True,
    }
    optional = {
        "instructions": request.instructions,
        "tools": request.tools or None,
        "max_output_tokens": request.max_output_tokens,
        "max_infer_iters": request.max_infer_iters,
        "max_tool_calls": request.max_tool_calls,
        "temperature": request.temperature,
        "include": request.include or None,
    }
    body.update({k: v for k, v in optional.items() if v is not None})
    body.update(request.extra)
    return body


@contextlib.asynccontextmanager
async def _exclusive(lock_path: Path) -> AsyncIterator[None]:
    """One OGX initialisation at a time across processes sharing the state folder.

    Several uvicorn workers (or pods sharing a volume) start together; OGX creates its
    SQLite tables with check-then-create, which races ("table ... already exists").
    """
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as handle:
        await asyncio.to_thread(fcntl.flock, handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def _provider_data(data: Mapping[str, str] | None) -> Iterator[None]:
    """OGX's per-request provider data (its HTTP server fills it from X-OGX-Provider-Data).

    Set for the whole stream: the providers call out while it is being read.
    """
    if not data:
        yield
        return
    from ogx.core.request_headers import PROVIDER_DATA_VAR

    token = PROVIDER_DATA_VAR.set(dict(data))
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):  # a stream closed from another context
            PROVIDER_DATA_VAR.reset(token)


class LibraryBackend:
    """OGX in-process."""

    mode = "library"

    def __init__(self, run_config: Path) -> None:
        self.run_config = run_config
        self._client: Any = None
        self._responses: Any = None

    async def start(self) -> None:
        started = time.perf_counter()
        from ogx.core.library_client import AsyncOGXAsLibraryClient
        from ogx_api import Api

        log.info("starting OGX in-process from %s", self.run_config)
        async with _exclusive(self.run_config.parent / ".ogx-init.lock"):
            with preserved_logging():  # the constructor reconfigures the process's logging
                client = AsyncOGXAsLibraryClient(str(self.run_config))
            try:
                with contextlib.redirect_stdout(io.StringIO()):  # initialize() prints the config
                    await client.initialize()
            except Exception as exc:
                raise BackendUnavailableError(f"OGX failed to start: {exc}") from exc
        self._client = client
        logging.getLogger(_OGX_STREAMING_LOGGER).addFilter(_drop_per_call_noise)
        self._responses = client.impls.get(Api.responses)
        if Api.inference in client.impls:
            record_inference_errors(client.impls[Api.inference])
        log.info("OGX ready in %.1fs", time.perf_counter() - started)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.shutdown()
            self._client = None

    async def version(self) -> str:
        return importlib.metadata.version("ogx")

    async def list_models(self) -> list[ModelInfo]:
        from ogx_api import Api

        listing = await self._client.impls[Api.models].openai_list_models()
        return [parse_model(m) for m in unwrap_list(listing)]

    async def list_providers(self) -> list[ProviderInfo]:
        return [parse_provider(p) for p in unwrap_list(await self._client.providers.list())]

    async def provider_health(self) -> dict[str, dict[str, Any]]:
        from ogx_api import Api

        health: dict[str, dict[str, Any]] = {}
        for name in ("inference", "vector_io", "safety"):
            api = getattr(Api, name, None)
            router = self._client.impls.get(api) if api is not None else None
            check = getattr(router, "health", None)
            if check is None:
                continue
            with contextlib.suppress(Exception):
                for provider_id, status in (await check()).items():
                    health[provider_id] = dict(status) if isinstance(status, dict) else {}
        return health

    async def respond(self, request: ResponseRequest) -> AsyncIterator[LLMEvent]:
        if self._responses is None:
            raise BackendUnavailableError("the OGX run config has no responses provider")
        from ogx_api.responses.models import CreateResponseRequest

        recorded = start_recording()
        with _provider_data(request.provider_data):
            try:
                stream = await self._responses.create_openai_response(
                    CreateResponseRequest(**build_create_request(request))
                )
                # OGX's MCP sessions must open and close in one task (see llm/own_task.py);
                # the extra task and queue cost ~2 ms per call, so only requests with MCP
                # tools pay it
                uses_mcp = any(tool.get("type") == "mcp" for tool in request.tools)
                source = in_own_task(stream) if uses_mcp else stream
                async with contextlib.aclosing(source) as events:
                    async for event in normalize_stream(request.model, events, recorded):
                        yield event
            except LightspeedError:
                raise
            except Exception as exc:
                raise classify_exception(request.model, exc) from exc

    def client(self) -> Any:
        """The OGX client, once started (for the resource ports of ``llm/resources.py``)."""
        return self._client
