"""Vector stores and files: the thin OGX proxy behind ``/v1/vector-stores`` and ``/v1/files``.

OGX errors are translated here (the routes stay thin): "not found" (HTTP 400/404 from an
OGX server, ``ValueError("… not found")`` in library mode) → 404 for the resource the
route names, unreachable OGX → 503, anything else → 500. Attaching a file is retried up
to three times while SQLite reports "database is locked" (0.5 s, then 1 s), as in the
reference.
"""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Awaitable
from pathlib import PurePath
from typing import Any

from lightspeed_core.errors import (
    BackendUnavailableError,
    BadRequestError,
    InternalError,
    LightspeedError,
    NotFoundError,
)
from lightspeed_core.llm.failures import is_connection_error
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


def _status(exc: BaseException) -> int | None:
    status = getattr(exc, "status_code", None) or getattr(exc, "status", None)
    return status if isinstance(status, int) else None


def is_not_found(exc: BaseException) -> bool:
    """Does an OGX failure say the object does not exist?"""
    return _status(exc) in (400, 404) or "not found" in str(exc).lower()


def backend_error(exc: BaseException, missing: LightspeedError | None = None) -> LightspeedError:
    """The domain error for a failed OGX call (``missing`` when it says "not found")."""
    if isinstance(exc, LightspeedError):
        return exc
    if is_connection_error(exc):
        return BackendUnavailableError(str(exc) or type(exc).__name__)
    if missing is not None and is_not_found(exc):
        return missing
    log.warning("OGX vector store call failed: %s", exc)
    return InternalError("Internal server error", str(exc) or type(exc).__name__)


async def _call[T](call: Awaitable[T], missing: LightspeedError | None = None) -> T:
    try:
        return await call
    except Exception as exc:
        raise backend_error(exc, missing) from exc


def store_response(store: Any) -> VectorStoreResponse:
    """Our body for an OGX ``VectorStoreObject``."""
    return VectorStoreResponse(
        id=store.id,
        name=store.name or "",
        created_at=store.created_at,
        last_active_at=store.last_active_at,
        expires_at=store.expires_at or None,
        status=store.status or "unknown",
        usage_bytes=store.usage_bytes or 0,
        metadata=dict(store.metadata) if store.metadata else None,
    )


def _file_response(item: Any, vector_store_id: str) -> VectorStoreFileResponse:
    error = getattr(item, "last_error", None)
    return VectorStoreFileResponse(
        id=item.id,
        vector_store_id=item.vector_store_id or vector_store_id,
        status=str(item.status or "unknown"),
        attributes=dict(item.attributes) if item.attributes else None,
        last_error=getattr(error, "message", None) if error is not None else None,
        object=item.object or "vector_store.file",
    )


def _data(listing: Any) -> list[Any]:
    return list(getattr(listing, "data", listing) or [])


def upload_name(filename: str | None) -> str:
    """The name sent to OGX: ``.txt`` appended when there is no extension (reference)."""
    name = filename or "uploaded_file"
    return name if PurePath(name).suffix else f"{name}.txt"


class VectorStoreProxy:
    """Vector-store and file operations on an OGX client (library or server mode)."""

    def __init__(self, client: Any) -> None:
        self._client = client

    async def create(self, body: VectorStoreCreateRequest) -> VectorStoreResponse:
        """Create a store; ``provider_id``/``embedding_*`` go to OGX's ``extra_body``."""
        fields = body.model_dump(exclude_none=True)
        extra = {
            k: fields.pop(k)
            for k in ("provider_id", "embedding_model", "embedding_dimension")
            if k in fields
        }
        missing = None
        if body.provider_id is not None:
            missing = NotFoundError("Provider", body.provider_id)
        elif body.embedding_model is not None:
            missing = NotFoundError("Model", body.embedding_model)
        store = await _call(self._client.vector_stores.create(**fields, extra_body=extra), missing)
        return store_response(store)

    async def list(self) -> VectorStoresListResponse:
        """Every vector store OGX knows."""
        listing = await _call(self._client.vector_stores.list())
        return VectorStoresListResponse(data=[store_response(s) for s in _data(listing)])

    async def get(self, vector_store_id: str) -> VectorStoreResponse:
        """One store (404 ``Vector Store not found``)."""
        missing = NotFoundError("Vector Store", vector_store_id)
        return store_response(
            await _call(self._client.vector_stores.retrieve(vector_store_id), missing)
        )

    async def update(
        self, vector_store_id: str, body: VectorStoreUpdateRequest
    ) -> VectorStoreResponse:
        """Rename, set expiry or metadata."""
        missing = NotFoundError("Vector Store", vector_store_id)
        call = self._client.vector_stores.update(
            vector_store_id, **body.model_dump(exclude_none=True)
        )
        return store_response(await _call(call, missing))

    async def delete(self, vector_store_id: str) -> VectorStoreDeleteResponse:
        """Delete; a missing store answers ``deleted: false`` (HTTP 200)."""
        try:
            await self._client.vector_stores.delete(vector_store_id)
        except Exception as exc:
            if is_connection_error(exc) or not is_not_found(exc):
                raise backend_error(exc) from exc
            return VectorStoreDeleteResponse(deleted=False, vector_store_id=vector_store_id)
        return VectorStoreDeleteResponse(deleted=True, vector_store_id=vector_store_id)

    async def upload(self, data: bytes, filename: str | None) -> FileResponse:
        """Store a file in OGX's Files API (purpose ``assistants``)."""
        if len(data) > MAX_UPLOAD_BYTES:
            raise FileTooLargeError.of_size(len(data))
        name = upload_name(filename)
        buffer = io.BytesIO(data)
        buffer.name = name  # library mode recognises only a bare BytesIO with a name
        try:
            created = await self._client.files.create(file=buffer, purpose="assistants")
        except Exception as exc:
            raise _upload_error(exc) from exc
        return FileResponse(
            id=created.id,
            filename=created.filename or name,
            bytes=created.bytes or len(data),
            created_at=created.created_at,
            purpose=str(getattr(created.purpose, "value", created.purpose) or "assistants"),
            object=created.object or "file",
        )

    async def attach(
        self, vector_store_id: str, body: VectorStoreFileCreateRequest
    ) -> VectorStoreFileResponse:
        """Attach an uploaded file (OGX chunks and embeds it in the background)."""
        missing = NotFoundError("Vector Store", vector_store_id)
        fields = body.model_dump(exclude_none=True)
        delay = ATTACH_RETRY_DELAY
        for attempt in range(1, ATTACH_ATTEMPTS + 1):
            try:
                created = await self._client.vector_stores.files.create(
                    vector_store_id=vector_store_id, **fields
                )
            except Exception as exc:
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
        listing = await _call(
            self._client.vector_stores.files.list(vector_store_id=vector_store_id), missing
        )
        return VectorStoreFilesListResponse(
            data=[_file_response(f, vector_store_id) for f in _data(listing)]
        )

    async def file(self, vector_store_id: str, file_id: str) -> VectorStoreFileResponse:
        """One file of a store (404 ``File not found``)."""
        call = self._client.vector_stores.files.retrieve(
            vector_store_id=vector_store_id, file_id=file_id
        )
        return _file_response(await _call(call, NotFoundError("File", file_id)), vector_store_id)

    async def delete_file(
        self, vector_store_id: str, file_id: str
    ) -> VectorStoreFileDeleteResponse:
        """Detach a file; a missing one answers ``deleted: false``."""
        try:
            await self._client.vector_stores.files.delete(
                vector_store_id=vector_store_id, file_id=file_id
            )
        except Exception as exc:
            if is_connection_error(exc) or not is_not_found(exc):
                raise backend_error(exc) from exc
            return VectorStoreFileDeleteResponse(deleted=False, file_id=file_id)
        return VectorStoreFileDeleteResponse(deleted=True, file_id=file_id)


def _upload_error(exc: Exception) -> LightspeedError:
    if is_connection_error(exc) or _status(exc) not in (400, 413):
        return backend_error(exc)
    message = str(exc)
    if any(word in message.lower() for word in ("too large", "size", "exceeds")):
        return FileTooLargeError("Invalid file upload", f"File upload rejected: {message}")
    return BadRequestError("Invalid file upload", f"File upload rejected by OGX: {message}")
