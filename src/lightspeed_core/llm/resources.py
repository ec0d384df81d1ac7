"""The resource ports of ``llm/ports.py`` over an OGX client (library or server mode).

Both modes expose the same client surface for vector stores and files (the library client
emulates the HTTP API), so one implementation serves both; only the built-in tool listing
differs (:class:`LibraryToolCatalogue` asks OGX's tool-groups router,
:class:`ServerToolCatalogue` derives them from the server's providers). The OGX objects
are read here, once, into our typed records.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from lightspeed_core.errors import BackendUnavailableError, LightspeedError
from lightspeed_core.llm.builtin_tools import builtin_tools
from lightspeed_core.llm.catalog import parse_provider, unwrap_list
from lightspeed_core.llm.failures import classify_exception, is_connection_error, status_of
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

log = logging.getLogger(__name__)
ClientSource = Callable[[], Any]
"""Returns the started backend's OGX client."""

_EXTRA_BODY = ("provider_id", "embedding_model", "embedding_dimension")


def translate(exc: BaseException) -> LightspeedError | ResourceCallError:
    """Our error for a failed OGX resource call."""
    if isinstance(exc, LightspeedError):
        return exc
    if is_connection_error(exc):
        return BackendUnavailableError(str(exc) or type(exc).__name__)
    not_found = status_of(exc) in (400, 404) or "not found" in str(exc).lower()
    return ResourceCallError(
        str(exc), kind=type(exc).__name__, status=status_of(exc), not_found=not_found
    )


async def _call[T](call: Awaitable[T]) -> T:
    try:
        return await call
    except Exception as exc:
        raise translate(exc) from exc


def _data(listing: Any) -> list[Any]:
    return list(getattr(listing, "data", listing) or [])


def _store(store: Any) -> VectorStore:
    return VectorStore(
        id=store.id,
        created_at=store.created_at,
        name=store.name,
        last_active_at=store.last_active_at,
        expires_at=store.expires_at,
        status=store.status,
        usage_bytes=store.usage_bytes,
        metadata=dict(store.metadata) if store.metadata else None,
        object=getattr(store, "object", None),
    )


def _file(item: Any) -> VectorStoreFile:
    error = getattr(item, "last_error", None)
    return VectorStoreFile(
        id=item.id,
        vector_store_id=item.vector_store_id,
        status=str(item.status) if item.status else None,
        attributes=dict(item.attributes) if item.attributes else None,
        last_error=getattr(error, "message", None) if error is not None else None,
        object=item.object,
    )


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(getattr(item, "text", "") or "") for item in content)
    return str(getattr(content, "text", content))


class OgxVectorStores:
    """:class:`~lightspeed_core.llm.ports.VectorStores` on the OGX client."""

    def __init__(self, client: ClientSource, *, embeds_in_process: bool) -> None:
        self._client = client
        self._embeds_in_process = embeds_in_process

    @property
    def embeds_in_process(self) -> bool:
        return self._embeds_in_process

    async def create(self, body: VectorStoreCreateRequest) -> VectorStore:
        fields = body.model_dump(exclude_none=True)
        extra = {k: fields.pop(k) for k in _EXTRA_BODY if k in fields}
        call = self._client().vector_stores.create(**fields, extra_body=extra)
        return _store(await _call(call))

    async def list_stores(self) -> list[VectorStore]:
        return [_store(s) for s in _data(await _call(self._client().vector_stores.list()))]

    async def get(self, vector_store_id: str) -> VectorStore:
        return _store(await _call(self._client().vector_stores.retrieve(vector_store_id)))

    async def update(self, vector_store_id: str, body: VectorStoreUpdateRequest) -> VectorStore:
        call = self._client().vector_stores.update(
            vector_store_id, **body.model_dump(exclude_none=True)
        )
        return _store(await _call(call))

    async def delete(self, vector_store_id: str) -> None:
        await _call(self._client().vector_stores.delete(vector_store_id))

    async def attach(
        self, vector_store_id: str, body: VectorStoreFileCreateRequest
    ) -> VectorStoreFile:
        call = self._client().vector_stores.files.create(
            vector_store_id=vector_store_id, **body.model_dump(exclude_none=True)
        )
        return _file(await _call(call))

    async def files(self, vector_store_id: str) -> list[VectorStoreFile]:
        call = self._client().vector_stores.files.list(vector_store_id=vector_store_id)
        return [_file(f) for f in _data(await _call(call))]

    async def file(self, vector_store_id: str, file_id: str) -> VectorStoreFile:
        call = self._client().vector_stores.files.retrieve(
            vector_store_id=vector_store_id, file_id=file_id
        )
        return _file(await _call(call))

    async def detach(self, vector_store_id: str, file_id: str) -> None:
        call = self._client().vector_stores.files.delete(
            vector_store_id=vector_store_id, file_id=file_id
        )
        await _call(call)

    async def query(
        self, vector_store_id: str, query: str, max_chunks: int, score_threshold: float
    ) -> list[Hit]:
        call = self._client().vector_io.query(
            vector_store_id=vector_store_id,
            query=query,
            params={"max_chunks": max_chunks, "mode": "vector", "score_threshold": score_threshold},
        )
        response = await _call(call)
        return [
            (_text(chunk.content), float(score), dict(chunk.metadata or {}))
            for chunk, score in zip(response.chunks, response.scores, strict=True)
        ]


class LibraryVectorStores(OgxVectorStores):
    """:class:`OgxVectorStores` in library mode: searches call OGX's ``vector_io`` router.

    The router is what the library client's HTTP emulation ends in, minus its per-call
    work: the request and the response (every chunk with its 384-float embedding) turned
    into JSON and parsed back into client models, about 5 ms of CPU per search. The
    router still checks the store's access policy, picks its provider and records OGX's
    metrics. The other calls stay on the client (rare, and their records are shaped by it).
    """

    def __init__(self, client: ClientSource, stack: ClientSource) -> None:
        super().__init__(client, embeds_in_process=True)
        self._stack = stack

    async def query(
        self, vector_store_id: str, query: str, max_chunks: int, score_threshold: float
    ) -> list[Hit]:
        from ogx_api import Api, QueryChunksRequest

        request = QueryChunksRequest(
            vector_store_id=vector_store_id,
            query=query,
            params={"max_chunks": max_chunks, "mode": "vector", "score_threshold": score_threshold},
        )
        response = await _call(self._stack().impls[Api.vector_io].query_chunks(request))
        return [
            (_text(chunk.content), float(score), dict(chunk.metadata or {}))
            for chunk, score in zip(response.chunks, response.scores, strict=True)
        ]


class OgxFiles:
    """:class:`~lightspeed_core.llm.ports.Files` on the OGX client."""

    def __init__(self, client: ClientSource) -> None:
        self._client = client

    async def upload(self, data: bytes, filename: str) -> StoredFile:
        buffer = io.BytesIO(data)
        buffer.name = filename  # library mode recognises only a bare BytesIO with a name
        created = await _call(self._client().files.create(file=buffer, purpose="assistants"))
        purpose = getattr(created.purpose, "value", created.purpose)
        return StoredFile(
            id=created.id,
            created_at=created.created_at,
            filename=created.filename,
            bytes=created.bytes,
            purpose=str(purpose) if purpose else None,
            object=created.object,
        )


def _builtin(tool: Any, providers: Mapping[str, str]) -> BuiltinTool:
    group = str(tool.toolgroup_id or "")
    return BuiltinTool(
        name=tool.name,
        description=tool.description or "",
        input_schema=dict(tool.input_schema or {}),
        toolgroup_id=group,
        provider_id=providers.get(group, group),
    )


async def _listed(listing: Awaitable[tuple[Any, Mapping[str, str]]]) -> list[BuiltinTool]:
    try:
        tools, providers = await listing
    except Exception as exc:
        error = classify_exception("tools", exc)
        if isinstance(error, BackendUnavailableError):
            raise error from exc
        log.warning("OGX did not list its built-in tools: %s", type(exc).__name__)
        return []
    return [_builtin(tool, providers) for tool in (getattr(tools, "data", None) or [])]


class LibraryToolCatalogue:
    """Built-in tools from the in-process stack's tool-groups router."""

    def __init__(self, client: ClientSource) -> None:
        self._client = client

    async def _list(self) -> tuple[Any, Mapping[str, str]]:
        from ogx_api import Api
        from ogx_api.tools.models import ListToolsRequest

        router = self._client().impls[Api.tool_groups]
        listing = await router.list_tools(ListToolsRequest())
        groups = await router.list_tool_groups()
        return listing, {g.identifier: g.provider_id for g in groups.data}

    async def builtin_tools(self) -> list[BuiltinTool]:
        return await _listed(self._list())


class ServerToolCatalogue:
    """Built-in tools of a remote OGX server, derived from its providers.

    OGX 1.5's ``/v1/admin/tools`` answers 500 and no other route lists tools; the built-in
    groups follow from the ``tool_runtime`` providers (``llm/builtin_tools.py``).
    """

    def __init__(self, client: ClientSource) -> None:
        self._client = client

    async def builtin_tools(self) -> list[BuiltinTool]:
        try:
            listing = await self._client().providers.list()
        except Exception as exc:
            error = classify_exception("tools", exc)
            if isinstance(error, BackendUnavailableError):
                raise error from exc
            log.warning("OGX did not list its providers: %s", type(exc).__name__)
            return []
        return builtin_tools(parse_provider(p) for p in unwrap_list(listing))
