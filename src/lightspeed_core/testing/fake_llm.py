"""In-process fakes of the ``llm`` ports: a scripted model and OGX's resources in memory.

:class:`FakeLLM` implements :class:`~lightspeed_core.llm.base.LLMBackend`. Each call to
``respond`` takes the next :class:`Reply` from its script (the last one repeats), records
the request, and streams what the reply says: text in word-sized deltas, tool calls with
their results, then ``Completed`` - or a domain error, after ``error_after`` deltas. A
reply with ``delay`` sleeps before each delta, so a test can interrupt or disconnect in the
middle of an answer. No network, no OGX.

:class:`InMemoryVectorStores`, :class:`InMemoryFiles` and :class:`FakeToolCatalogue`
implement the resource ports of ``llm/ports.py``.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from lightspeed_core.errors import LightspeedError
from lightspeed_core.llm.base import ModelInfo, ProviderInfo, ResponseRequest
from lightspeed_core.llm.events import (
    Completed,
    LLMEvent,
    RawEvent,
    RetrievedChunk,
    TextDelta,
    ToolCall,
    ToolResult,
    Usage,
)
from lightspeed_core.llm.ports import (
    BuiltinTool,
    Hit,
    ResourceCallError,
    StoredFile,
    VectorStore,
    VectorStoreFile,
)
from lightspeed_core.schemas.vector_stores import (
    VectorStoreCreateRequest,
    VectorStoreFileCreateRequest,
    VectorStoreUpdateRequest,
)

DEFAULT_MODEL = ModelInfo("fake/fake-model", "fake", "fake-model", "llm")


@dataclass(frozen=True, slots=True)
class ScriptedTool:
    """A tool call the fake model makes, and the result it reports."""

    name: str
    args: dict[str, Any] = field(default_factory=dict)
    output: str = ""
    status: str = "success"
    kind: str = "mcp_call"
    documents: tuple[RetrievedChunk, ...] = ()


@dataclass(frozen=True, slots=True)
class Reply:
    """What one model call does."""

    text: str = "fake answer"
    tools: tuple[ScriptedTool, ...] = ()
    error: LightspeedError | None = None
    error_after: int = 0  # text deltas streamed before ``error`` is raised
    delay: float = 0.0  # seconds before each text delta
    usage: Usage | None = None  # default: 1 input token per 4 characters, 1 per word out
    status: str = "completed"


def _words(text: str) -> list[str]:
    return re.findall(r"\S+\s*|\s+", text)


class FakeLLM:
    """A scripted :class:`~lightspeed_core.llm.base.LLMBackend`."""

    mode = "fake"

    def __init__(
        self,
        replies: Sequence[Reply] = (Reply(),),
        *,
        models: Sequence[ModelInfo] = (DEFAULT_MODEL,),
        version: str = "fake-1.0",
    ) -> None:
        self.replies = list(replies) or [Reply()]
        self.models = list(models)
        self.requests: list[ResponseRequest] = []
        self.started = False
        self.closed = False
        self._version = version
        self._ids = itertools.count(1)

    def script(self, *replies: Reply) -> FakeLLM:
        """Replace the script (the last reply repeats)."""
        self.replies = list(replies) or [Reply()]
        return self

    async def start(self) -> None:
        self.started = True

    async def close(self) -> None:
        self.closed = True

    async def version(self) -> str:
        return self._version

    async def list_models(self) -> list[ModelInfo]:
        return list(self.models)

    async def list_providers(self) -> list[ProviderInfo]:
        providers = sorted({m.provider_id for m in self.models})
        return [ProviderInfo("inference", p, "remote::fake") for p in providers]

    async def provider_health(self) -> dict[str, dict[str, Any]]:
        return {m.provider_id: {"status": "OK"} for m in self.models}

    def _next(self) -> Reply:
        return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]

    async def complete(self, request: ResponseRequest) -> str:
        """The next scripted reply's text (its error raised), as a chat completion."""
        self.requests.append(request)
        reply = self._next()
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.error is not None:
            raise reply.error
        return reply.text

    async def respond(self, request: ResponseRequest) -> AsyncIterator[LLMEvent]:
        self.requests.append(request)
        reply = self._next()
        number = next(self._ids)
        for round_, tool in enumerate(reply.tools, 1):
            call_id = f"call-{number}-{round_}"
            yield ToolCall(call_id, tool.name, tool.args, tool.kind)
            yield ToolResult(call_id, tool.status, tool.output, round_, tool.documents)
        for streamed, piece in enumerate(_words(reply.text)):
            if reply.error is not None and streamed >= reply.error_after:
                break
            if reply.delay:
                await asyncio.sleep(reply.delay)
            yield TextDelta(piece)
        if reply.error is not None:
            raise reply.error
        usage = reply.usage or Usage(
            sum(len(str(i.get("content", ""))) for i in request.input) // 4 + 1,
            len(reply.text.split()),
        )
        if request.raw_events != "none":
            yield RawEvent(_final_event(request, reply, usage, f"resp-{number}"))
        yield Completed(reply.text, usage, reply.status, f"resp-{number}")


def _final_event(request: ResponseRequest, reply: Reply, usage: Usage, rid: str) -> dict[str, Any]:
    """The terminal OGX event of a fake call (``raw_events``: what ``/v1/responses`` needs)."""
    part = {"type": "output_text", "text": reply.text, "annotations": []}
    message = {"id": f"msg-{rid}", "type": "message", "role": "assistant", "content": [part]}
    response = {
        "id": rid,
        "object": "response",
        "created_at": 1_700_000_000,
        "model": request.model,
        "status": reply.status,
        "output": [{**message, "status": "completed"}],
        "tools": request.tools,
        "usage": {
            "input_tokens": usage.input_tokens,
            "output_tokens": usage.output_tokens,
            "total_tokens": usage.input_tokens + usage.output_tokens,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens_details": {"reasoning_tokens": 0},
        },
    }
    kind = "response.completed" if reply.status == "completed" else "response.incomplete"
    return {"type": kind, "sequence_number": 0, "response": response}


def _missing(what: str, ident: str) -> ResourceCallError:
    return ResourceCallError(f"{what} {ident} not found", status=404, not_found=True)


class InMemoryVectorStores:
    """Vector stores in a dict; ``query`` returns the scripted hits of a store."""

    embeds_in_process = False

    def __init__(self, hits: dict[str, list[Hit]] | None = None) -> None:
        self.stores: dict[str, VectorStore] = {}
        self.attached: dict[str, dict[str, VectorStoreFile]] = {}
        self.hits = dict(hits or {})
        self.queries: list[tuple[str, str]] = []
        self._ids = itertools.count(1)

    def _store(self, vector_store_id: str) -> VectorStore:
        if vector_store_id not in self.stores:
            raise _missing("Vector store", vector_store_id)
        return self.stores[vector_store_id]

    async def create(self, body: VectorStoreCreateRequest) -> VectorStore:
        store = VectorStore(
            f"vs_{next(self._ids)}", 1_700_000_000, body.name, status="completed", usage_bytes=0
        )
        self.stores[store.id] = store
        self.attached[store.id] = {}
        return store

    async def list_stores(self) -> list[VectorStore]:
        return list(self.stores.values())

    async def get(self, vector_store_id: str) -> VectorStore:
        return self._store(vector_store_id)

    async def update(self, vector_store_id: str, body: VectorStoreUpdateRequest) -> VectorStore:
        old = self._store(vector_store_id)
        new = VectorStore(
            old.id,
            old.created_at,
            body.name or old.name,
            old.last_active_at,
            body.expires_at or old.expires_at,
            old.status,
            old.usage_bytes,
            body.metadata if body.metadata is not None else old.metadata,
        )
        self.stores[old.id] = new
        return new

    async def delete(self, vector_store_id: str) -> None:
        self._store(vector_store_id)
        del self.stores[vector_store_id]

    async def attach(
        self, vector_store_id: str, body: VectorStoreFileCreateRequest
    ) -> VectorStoreFile:
        self._store(vector_store_id)
        attached = VectorStoreFile(
            body.file_id, vector_store_id, "completed", dict(body.attributes or {}) or None
        )
        self.attached[vector_store_id][body.file_id] = attached
        return attached

    async def files(self, vector_store_id: str) -> list[VectorStoreFile]:
        self._store(vector_store_id)
        return list(self.attached[vector_store_id].values())

    async def file(self, vector_store_id: str, file_id: str) -> VectorStoreFile:
        self._store(vector_store_id)
        if file_id not in self.attached[vector_store_id]:
            raise _missing("File", file_id)
        return self.attached[vector_store_id][file_id]

    async def detach(self, vector_store_id: str, file_id: str) -> None:
        await self.file(vector_store_id, file_id)
        del self.attached[vector_store_id][file_id]

    async def query(
        self, vector_store_id: str, query: str, max_chunks: int, score_threshold: float
    ) -> list[Hit]:
        self.queries.append((vector_store_id, query))
        found = [h for h in self.hits.get(vector_store_id, []) if h[1] >= score_threshold]
        return found[:max_chunks]


class InMemoryFiles:
    """Uploaded files kept in memory."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    async def upload(self, data: bytes, filename: str) -> StoredFile:
        file_id = f"file-{len(self.files) + 1}"
        self.files[file_id] = data
        return StoredFile(file_id, 1_700_000_000, filename, len(data), "assistants", "file")


class FakeToolCatalogue:
    """A fixed list of built-in tools."""

    def __init__(self, tools: Sequence[BuiltinTool] = ()) -> None:
        self.tools = list(tools)

    async def builtin_tools(self) -> list[BuiltinTool]:
        return list(self.tools)
