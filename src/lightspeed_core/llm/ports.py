"""Typed ports for OGX's resources besides model calls: vector stores, files, built-in tools.

Routes and features use these Protocols; ``llm/resources.py`` implements them over the OGX
client of whichever mode runs (``llm/factory.py`` wires them), so nothing outside ``llm/``
knows about library or server mode or touches an OGX client. ``lightspeed_core.testing``
has in-memory fakes.

Failures: an unreachable OGX raises ``BackendUnavailableError`` (503); any other failed
call raises :class:`ResourceCallError`, which says whether OGX reported the object missing,
so the caller can answer 404 for the resource it names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from lightspeed_core.llm.failures import public_message
from lightspeed_core.schemas.vector_stores import (
    VectorStoreCreateRequest,
    VectorStoreFileCreateRequest,
    VectorStoreUpdateRequest,
)


class ResourceCallError(Exception):
    """An OGX resource call failed for another reason than an unreachable backend."""

    def __init__(
        self, detail: str, *, kind: str = "Exception", status: int | None = None, not_found: bool
    ) -> None:
        super().__init__(detail)
        self.detail = detail  # the backend's message ("" when it gave none)
        self.kind = kind  # the backend exception's class name
        self.status = status  # the HTTP status, when the backend answered one
        self.not_found = not_found  # OGX said the object does not exist

    def describe(self) -> str:
        """The message without library wrapping, or the exception's kind when there is none."""
        return public_message(self.detail) or self.kind


@dataclass(frozen=True, slots=True)
class VectorStore:
    """A vector store as OGX reports it."""

    id: str
    created_at: int
    name: str | None = None
    last_active_at: int | None = None
    expires_at: int | None = None
    status: str | None = None
    usage_bytes: int | None = None
    metadata: dict[str, Any] | None = None
    object: str | None = None


@dataclass(frozen=True, slots=True)
class VectorStoreFile:
    """A file attached to a vector store."""

    id: str
    vector_store_id: str | None = None
    status: str | None = None
    attributes: dict[str, Any] | None = None
    last_error: str | None = None
    object: str | None = None


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A file in OGX's Files API."""

    id: str
    created_at: int
    filename: str | None = None
    bytes: int | None = None
    purpose: str | None = None
    object: str | None = None


@dataclass(frozen=True, slots=True)
class BuiltinTool:
    """One of OGX's built-in tools (``builtin::file_search`` ...)."""

    name: str
    description: str = ""
    input_schema: Mapping[str, Any] = field(default_factory=dict)
    toolgroup_id: str = ""
    provider_id: str = ""


Hit = tuple[str, float, Mapping[str, Any]]
"""One search result: ``(content, raw score, metadata)``."""


class VectorStores(Protocol):
    """OGX's vector stores (``/v1/vector-stores``, ``/v1/rags``, inline RAG)."""

    @property
    def embeds_in_process(self) -> bool:
        """True when embeddings are computed in this process (worth warming up)."""
        ...

    async def create(self, body: VectorStoreCreateRequest) -> VectorStore: ...

    async def list_stores(self) -> list[VectorStore]: ...

    async def get(self, vector_store_id: str) -> VectorStore: ...

    async def update(self, vector_store_id: str, body: VectorStoreUpdateRequest) -> VectorStore: ...

    async def delete(self, vector_store_id: str) -> None: ...

    async def attach(
        self, vector_store_id: str, body: VectorStoreFileCreateRequest
    ) -> VectorStoreFile: ...

    async def files(self, vector_store_id: str) -> list[VectorStoreFile]: ...

    async def file(self, vector_store_id: str, file_id: str) -> VectorStoreFile: ...

    async def detach(self, vector_store_id: str, file_id: str) -> None: ...

    async def query(
        self, vector_store_id: str, query: str, max_chunks: int, score_threshold: float
    ) -> list[Hit]:
        """The best chunks of one store for ``query``, best first."""
        ...


class Files(Protocol):
    """OGX's Files API (uploads for vector stores)."""

    async def upload(self, data: bytes, filename: str) -> StoredFile: ...


class ToolCatalogue(Protocol):
    """OGX's built-in tools, for ``GET /v1/tools``."""

    async def builtin_tools(self) -> list[BuiltinTool]:
        """The tools; ``[]`` when OGX cannot list them (503 when it is unreachable)."""
        ...
