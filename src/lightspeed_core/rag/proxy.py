"""Vector stores and files: the thin layer behind ``/v1/vector-stores`` and ``/v1/files``.

It talks to the typed ports of ``llm/ports.py`` and translates their failures (the routes
stay thin): "not found" → 404 for the resource the route names, unreachable OGX → 503
(raised by the port), anything else → 500. Attaching a file is retried up to three times
while SQLite reports "database is locked" (0.5 s, then 1 s), as in the reference.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from pathlib import PurePath

from lightspeed_core.errors import (
    BadRequestError,
    InternalError,
    LightspeedError,
    NotFoundError,
)
from lightspeed_core.llm.failures import public_message
from lightspeed_core.llm.ports import (
    Files,
    ResourceCallError,
    VectorStore,
    VectorStoreFile,
    VectorStores,
)
from lightspeed_core.schemas.vector_stores import (
    FileResponse,
    VectorStoreCreateRequest,
    VectorStoreDeleteResponse,
    VectorStoreFileCreateRequest,
    VectorStoreFileDeleteResponse,
    VectorStoreFileResponse,
    VectorStoreFilesListResponse,
    VectorStoreResponse,
    VectorStoresListResponse,
    VectorStoreUpdateRequest,
)

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 100 * 1024 * 1024
ATTACH_ATTEMPTS = 3
ATTACH_RETRY_DELAY = 0.5


class FileTooLargeError(LightspeedError):
    """413 ``File too large`` / ``Invalid file upload``."""

    status_code = 413

    @classmethod
    def of_size(cls, size: int, limit: int = MAX_UPLOAD_BYTES) -> FileTooLargeError:
        """The upload is bigger than ``limit`` (:data:`MAX_UPLOAD_BYTES`)."""
        return cls(
            "File too large",
            f"File size {size} bytes exceeds maximum allowed size of {limit} bytes "
            f"({limit // (1024 * 1024)} MB)",
        )


def backend_error(exc: BaseException, missing: LightspeedError | None = None) -> LightspeedError:
    """The domain error for a failed port call (``missing`` when OGX says "not found")."""
    if isinstance(exc, LightspeedError):
        return exc
    if isinstance(exc, ResourceCallError):
        if missing is not None and exc.not_found:
            return missing
        log.warning("OGX vector store call failed: %s", exc)
        return InternalError("Internal server error", exc.describe())
    log.warning("OGX vector store call failed: %s", exc)
    return InternalError("Internal server error", public_message(str(exc)) or type(exc).__name__)


async def _call[T](call: Awaitable[T], missing: LightspeedError | None = None) -> T:
    try:
        return await call
    except (LightspeedError, ResourceCallError) as exc:
        raise backend_error(exc, missing) from exc


def store_response(store: VectorStore) -> VectorStoreResponse:
    """Our body for a vector store."""
    return VectorStoreResponse(
        id=store.id,
        name=store.name or "",
        created_at=store.created_at,
        last_active_at=store.last_active_at,
        expires_at=store.expires_at or None,
        status=store.status or "unknown",
        usage_bytes=store.usage_bytes or 0,
        metadata=store.metadata,
    )


def _file_response(item: VectorStoreFile, vector_store_id: str) -> VectorStoreFileResponse:
    return VectorStoreFileResponse(
        id=item.id,
        vector_store_id=item.vector_store_id or vector_store_id,
        status=item.status or "unknown",
        attributes=item.attributes,
        last_error=item.last_error,
        object=item.object or "vector_store.file",
    )


def upload_name(filename: str | None) -> str:
    """The name sent to OGX: ``.txt`` appended when there is no extension (reference)."""
    name = filename or "uploaded_file"
    return name if PurePath(name).suffix else f"{name}.txt"


def _is_missing(exc: LightspeedError | ResourceCallError) -> bool:
    return isinstance(exc, ResourceCallError) and exc.not_found


class VectorStoreProxy:
    """Vector-store and file operations over the OGX ports."""

    def __init__(self, stores: VectorStores, files: Files) -> None:
        self._stores = stores
        self._files = files

    async def create(self, body: VectorStoreCreateRequest) -> VectorStoreResponse:
        """Create a store; ``provider_id``/``embedding_*`` go to OGX's ``extra_body``."""
        missing = None
        if body.provider_id is not None:
            missing = NotFoundError("Provider", body.provider_id)
        elif body.embedding_model is not None:
            missing = NotFoundError("Model", body.embedding_model)
        return store_response(await _call(self._stores.create(body), missing))

    async def list(self) -> VectorStoresListResponse:
        """Every vector store OGX knows."""
        stores = await _call(self._stores.list_stores())
        return VectorStoresListResponse(data=[store_response(s) for s in stores])

    async def get(self, vector_store_id: str) -> VectorStoreResponse:
        """One store (404 ``Vector Store not found``)."""
        missing = NotFoundError("Vector Store", vector_store_id)
        return store_response(await _call(self._stores.get(vector_store_id), missing))

    async def update(
        self, vector_store_id: str, body: VectorStoreUpdateRequest
    ) -> VectorStoreResponse:
        """Rename, set expiry or metadata."""
        missing = NotFoundError("Vector Store", vector_store_id)
        return store_response(await _call(self._stores.update(vector_store_id, body), missing))

    async def delete(self, vector_store_id: str) -> VectorStoreDeleteResponse:
        """Delete; a missing store answers ``deleted: false`` (HTTP 200)."""
        try:
            await self._stores.delete(vector_store_id)
        except (LightspeedError, ResourceCallError) as exc:
            if not _is_missing(exc):
                raise backend_error(exc) from exc
            return VectorStoreDeleteResponse(deleted=False, vector_store_id=vector_store_id)
        return VectorStoreDeleteResponse(deleted=True, vector_store_id=vector_store_id)

    async def upload(self, data: bytes, filename: str | None) -> FileResponse:
        """Store a file in OGX's Files API (purpose ``assistants``)."""
        if len(data) > MAX_UPLOAD_BYTES:
            raise FileTooLargeError.of_size(len(data))
        name = upload_name(filename)
        try:
            created = await self._files.upload(data, name)
        except (LightspeedError, ResourceCallError) as exc:
            raise _upload_error(exc) from exc
        return FileResponse(
            id=created.id,
            filename=created.filename or name,
            bytes=created.bytes or len(data),
            created_at=created.created_at,
            purpose=created.purpose or "assistants",
            object=created.object or "file",
        )

    async def attach(
        self, vector_store_id: str, body: VectorStoreFileCreateRequest
    ) -> VectorStoreFileResponse:
        """Attach an uploaded file (OGX chunks and embeds it in the background)."""
        missing = NotFoundError("Vector Store", vector_store_id)
        delay = ATTACH_RETRY_DELAY
        for attempt in range(1, ATTACH_ATTEMPTS + 1):
            try:
                created = await self._stores.attach(vector_store_id, body)
            except (LightspeedError, ResourceCallError) as exc:
                if "locked" not in str(exc).lower() or attempt == ATTACH_ATTEMPTS:
                    raise backend_error(exc, missing) from exc
                log.warning("database locked attaching %s, retrying in %.1fs", body.file_id, delay)
                await asyncio.sleep(delay)
                delay *= 2
                continue
            return _file_response(created, vector_store_id)
        raise InternalError(  # pragma: no cover - the loop always returns or raises
            "Failed to create vector store file",
            "All retry attempts failed to create the vector store file",
        )

    async def files(self, vector_store_id: str) -> VectorStoreFilesListResponse:
        """Files of a store."""
        missing = NotFoundError("Vector Store", vector_store_id)
        listing = await _call(self._stores.files(vector_store_id), missing)
        return VectorStoreFilesListResponse(
            data=[_file_response(f, vector_store_id) for f in listing]
        )

    async def file(self, vector_store_id: str, file_id: str) -> VectorStoreFileResponse:
        """One file of a store (404 ``File not found``)."""
        call = self._stores.file(vector_store_id, file_id)
        return _file_response(await _call(call, NotFoundError("File", file_id)), vector_store_id)

    async def delete_file(
        self, vector_store_id: str, file_id: str
    ) -> VectorStoreFileDeleteResponse:
        """Detach a file; a missing one answers ``deleted: false``."""
        try:
            await self._stores.detach(vector_store_id, file_id)
        except (LightspeedError, ResourceCallError) as exc:
            if not _is_missing(exc):
                raise backend_error(exc) from exc
            return VectorStoreFileDeleteResponse(deleted=False, file_id=file_id)
        return VectorStoreFileDeleteResponse(deleted=True, file_id=file_id)


def _upload_error(exc: LightspeedError | ResourceCallError) -> LightspeedError:
    if not isinstance(exc, ResourceCallError) or exc.status not in (400, 413):
        return backend_error(exc)
    message = exc.detail
    if any(word in message.lower() for word in ("too large", "size", "exceeds")):
        return FileTooLargeError("Invalid file upload", f"File upload rejected: {message}")
    return BadRequestError("Invalid file upload", f"File upload rejected by OGX: {message}")
