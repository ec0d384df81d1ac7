"""Library mode: OGX runs inside this process.

The OGX ``Stack`` is built and initialised directly from the run config file. The hot path
(Responses) calls the stack's Responses implementation, which skips the library client's
in-process HTTP emulation (JSON encode, route matching, re-parse): measured 9.1 ms vs
15.5 ms per streamed stateless call. OGX's ``AsyncOGXAsLibraryClient`` (``ogx_client``,
about 1 s of CPU to import) is built only when a resource endpoint first needs it
(vector stores, files, ``/v1/providers``), over the same, already running stack.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import importlib.metadata
import io
import logging
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from pathlib import Path
from typing import Any

from lightspeed_core.errors import BackendUnavailableError, LightspeedError
from lightspeed_core.llm import ogx_router, openai_sdk
from lightspeed_core.llm.base import (
    ModelInfo,
    ProviderInfo,
    ResponseRequest,
    completion_text,
)
from lightspeed_core.llm.catalog import parse_model, parse_provider, unwrap_list
from lightspeed_core.llm.chat import NotPlain, chat_events, chat_params, plain
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


def skip_disabled_log_events() -> None:
    """Drop OGX's log events below their logger's level before structlog processes them.

    OGX's structlog configuration runs every event through its processors (context
    variables, redaction, an ISO timestamp ...) and only then hands it to the stdlib logger,
    which drops what is below its level: ~25 us per ``debug`` call, and one inline RAG search
    logs a dozen (one per chunk found). ``filter_by_level`` first asks the stdlib logger, so
    nothing that would be dropped is processed; what is logged does not change. The
    processor list is shared by OGX's loggers, so they all see the filter.
    """
    import structlog

    processors = structlog.get_config()["processors"]
    if not processors or processors[0] is not structlog.stdlib.filter_by_level:
        processors.insert(0, structlog.stdlib.filter_by_level)


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


def _initialised_marker(run_config: Path) -> Path:
    """A file saying that OGX once started from exactly this run config (its stores exist)."""
    digest = hashlib.sha256(run_config.read_bytes()).hexdigest()[:16]
    return run_config.parent / f".ogx-initialised-{digest}"


@contextlib.asynccontextmanager
async def _first_start_exclusive(run_config: Path) -> AsyncIterator[None]:
    """Serialise OGX's start only until it has once succeeded with this run config.

    Only creating OGX's stores races; once they exist (the parent of several workers starts
    OGX once before forking them, ``prestart.py``), workers start OGX in parallel.
    """
    marker = _initialised_marker(run_config)
    if marker.exists():
        yield
        return
    async with _exclusive(run_config.parent / ".ogx-init.lock"):
        yield
        marker.touch()


class LibraryBackend:
    """OGX in-process."""

    mode = "library"

    def __init__(self, run_config: Path) -> None:
        self.run_config = run_config
        self._stack: Any = None
        self._client: Any = None
        self._responses: Any = None
        self._inference: Any = None  # plain calls and ``complete`` (llm/chat.py)

    async def start(self) -> None:
        started = time.perf_counter()
        from ogx_api import Api

        log.info("starting OGX in-process from %s", self.run_config)
        async with _first_start_exclusive(self.run_config):
            try:
                stack = await start_stack(self.run_config)
            except Exception as exc:
                raise BackendUnavailableError(f"OGX failed to start: {exc}") from exc
        self._stack = stack
        logging.getLogger(_OGX_STREAMING_LOGGER).addFilter(_drop_per_call_noise)
        self._responses = stack.impls.get(Api.responses)
        self._inference = stack.impls.get(Api.inference)
        if Api.inference in stack.impls:
            record_inference_errors(stack.impls[Api.inference])
        log.info("OGX ready in %.1fs", time.perf_counter() - started)

    async def close(self) -> None:
        self._client = None
        if self._stack is not None:
            stack, self._stack = self._stack, None
            await stack.shutdown()

    async def version(self) -> str:
        return importlib.metadata.version("ogx")

    async def list_models(self) -> list[ModelInfo]:
        from ogx_api import Api

        listing = await self._stack.impls[Api.models].openai_list_models()
        return [parse_model(m) for m in unwrap_list(listing)]

    async def list_providers(self) -> list[ProviderInfo]:
        return [parse_provider(p) for p in unwrap_list(await self.client().providers.list())]

    async def provider_health(self) -> dict[str, dict[str, Any]]:
        from ogx_api import Api

        health: dict[str, dict[str, Any]] = {}
        for name in ("inference", "vector_io", "safety"):
            api = getattr(Api, name, None)
            router = self._stack.impls.get(api) if api is not None else None
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
                if self._inference is not None and plain(request):
                    try:
                        async for event in chat_events(self._inference, request, recorded):
                            yield event
                        return
                    except NotPlain:  # before any event: OGX's Responses layer answers it
                        recorded = start_recording()
                stream = await self._responses.create_openai_response(
                    CreateResponseRequest(**build_create_request(request))
                )
                # OGX's MCP sessions must open and close in one task (see llm/own_task.py);
                # the extra task and queue cost ~2 ms per call, so only requests with MCP
                # tools pay it
                uses_mcp = any(tool.get("type") == "mcp" for tool in request.tools)
                source = in_own_task(stream) if uses_mcp else stream
                async with contextlib.aclosing(source) as events:
                    async for event in normalize_stream(
                        request.model, events, recorded, raw=request.raw_events
                    ):
                        yield event
            except LightspeedError:
                raise
            except Exception as exc:
                raise classify_exception(request.model, exc, request.tools) from exc

    async def complete(self, request: ResponseRequest) -> str:
        if self._inference is None:
            raise BackendUnavailableError("the OGX run config has no inference provider")
        params = chat_params(request, stream=False)
        with _provider_data(request.provider_data):
            try:
                return completion_text(await self._inference.openai_chat_completion(params))
            except LightspeedError:
                raise
            except Exception as exc:
                raise classify_exception(request.model, exc) from exc

    def stack(self) -> Any:
        """The running OGX ``Stack`` (``.impls``: the API implementations by ``Api``)."""
        return self._stack

    def client(self) -> Any:
        """OGX's library client over the running stack, built on first use.

        For the resource ports of ``llm/resources.py`` that go through OGX's HTTP routes
        (vector stores, files, providers); the first call in a process imports ``ogx_client``.
        """
        if self._client is None and self._stack is not None:
            self._client = library_client(self.run_config, self._stack)
        return self._client


# OGX spawns a pool of job-worker processes (``spawn`` start method: each imports OGX anew,
# ~140 MB each once loaded) for its worker-mode providers - ``file_processors`` (pypdf) in the
# reference's default profile - in every process that starts a stack, i.e. in every worker of
# this service. Jobs (vector-store file ingestion) are rare and queued durably in SQL, so one
# such process per stack is enough; OGX's default is 2 and its ServerConfig has no field for it
# (``jobs.bootstrap`` reads ``server.job_workers`` when present).
OGX_JOB_WORKERS = 1


def limit_job_workers(config: Any, workers: int = OGX_JOB_WORKERS) -> None:
    """Set ``server.job_workers`` on a parsed OGX run config unless it already has one."""
    server = config.server
    if getattr(server, "job_workers", None) is None:
        object.__setattr__(server, "job_workers", workers)  # not a declared pydantic field


async def start_stack(run_config: Path) -> Any:
    """Build and initialise an OGX ``Stack`` from a run config file (no library client)."""
    import yaml
    from ogx.core.configure import parse_and_maybe_upgrade_config
    from ogx.core.stack import Stack, replace_env_vars
    from ogx.log import setup_logging as setup_ogx_logging

    text = await asyncio.to_thread(run_config.read_text)
    config = parse_and_maybe_upgrade_config(replace_env_vars(yaml.safe_load(text)))
    limit_job_workers(config)
    with preserved_logging():  # as the library client does: OGX_LOGGING levels for its loggers
        setup_ogx_logging()
    stack = Stack(config)
    with contextlib.redirect_stdout(io.StringIO()):
        await stack.initialize()
    skip_disabled_log_events()
    openai_sdk.install()  # OGX's OpenAI-compatible providers: less CPU per call and token
    ogx_router.install()  # the router's check of offered tools: one pydantic adapter per type
    return stack


def library_client(run_config: Path, stack: Any) -> Any:
    """An ``AsyncOGXAsLibraryClient`` attached to the running ``stack``.

    What the client's own ``initialize()`` does, without building a second stack.
    """
    from ogx.core.library_client import AsyncOGXAsLibraryClient
    from ogx.core.server.routes import initialize_route_impls

    with preserved_logging():  # the constructor reconfigures the process's logging
        client = AsyncOGXAsLibraryClient(str(run_config))
    skip_disabled_log_events()
    client.stack = stack
    client.impls = stack.impls
    client.route_impls = initialize_route_impls(stack.impls)
    client.api_client.call_api = client._in_process_call_api
    return client
