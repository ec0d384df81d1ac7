"""Vector stores and files: ``/v1/vector-stores[...]`` and ``/v1/files`` (OGX proxies).

Uploads are limited to 100 MiB, checked on the ``Content-Length`` header, on
``UploadFile.size`` and on the bytes actually received (413 ``File too large``).
"""

from __future__ import annotations

import os
from typing import Annotated

from fastapi import APIRouter, Depends, File, Request, UploadFile

from lightspeed_core.api.deps import ServicesDep, require
from lightspeed_core.authz.context import Authorized
from lightspeed_core.container import Services
from lightspeed_core.rag.proxy import MAX_UPLOAD_BYTES, FileTooLargeError, VectorStoreProxy
from lightspeed_core.schemas.common import error_responses
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
from lightspeed_core.vocabulary.actions import Action

router = APIRouter(prefix="/v1", tags=["vector-stores"])

Manage = Annotated[Authorized, Depends(require(Action.MANAGE_VECTOR_STORES))]
Read = Annotated[Authorized, Depends(require(Action.READ_VECTOR_STORES))]
ManageFiles = Annotated[Authorized, Depends(require(Action.MANAGE_FILES))]
ONE = error_responses(401, 403, 404, 500, 503)
MANY = error_responses(401, 403, 500, 503)


async def _proxy(services: Services) -> VectorStoreProxy:
    return VectorStoreProxy(services.vector_stores, services.files)


@router.post("/vector-stores", response_model=VectorStoreResponse, responses=ONE)
async def create_vector_store(
    body: VectorStoreCreateRequest, _auth: Manage, services: ServicesDep
) -> VectorStoreResponse:
    """Create a vector store (default provider and embedding model unless given)."""
    return await (await _proxy(services)).create(body)


@router.get("/vector-stores", response_model=VectorStoresListResponse, responses=MANY)
async def list_vector_stores(_auth: Read, services: ServicesDep) -> VectorStoresListResponse:
    """All vector stores."""
    return await (await _proxy(services)).list()


@router.get("/vector-stores/{vector_store_id}", response_model=VectorStoreResponse, responses=ONE)
async def get_vector_store(
    vector_store_id: str, _auth: Read, services: ServicesDep
) -> VectorStoreResponse:
    """One vector store."""
    return await (await _proxy(services)).get(vector_store_id)


@router.put("/vector-stores/{vector_store_id}", response_model=VectorStoreResponse, responses=ONE)
async def update_vector_store(
    vector_store_id: str, body: VectorStoreUpdateRequest, _auth: Manage, services: ServicesDep
) -> VectorStoreResponse:
    """Change a store's name, expiry or metadata."""
    return await (await _proxy(services)).update(vector_store_id, body)


@router.delete(
    "/vector-stores/{vector_store_id}", response_model=VectorStoreDeleteResponse, responses=MANY
)
async def delete_vector_store(
    vector_store_id: str, _auth: Manage, services: ServicesDep
) -> VectorStoreDeleteResponse:
    """Delete a store (``deleted: false`` when it does not exist)."""
    return await (await _proxy(services)).delete(vector_store_id)


@router.post(
    "/files", response_model=FileResponse, responses=error_responses(401, 403, 413, 500, 503)
)
async def upload_file(
    request: Request,
    _auth: ManageFiles,
    services: ServicesDep,
    file: Annotated[UploadFile, File(description="The file to upload")],
) -> FileResponse:
    """Upload a file (at most 100 MiB) for later attachment to a vector store."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_UPLOAD_BYTES:
        raise FileTooLargeError.of_size(int(declared), MAX_UPLOAD_BYTES)
    if file.size is not None and file.size > MAX_UPLOAD_BYTES:
        raise FileTooLargeError.of_size(file.size, MAX_UPLOAD_BYTES)
    file.file.seek(0, os.SEEK_END)
    size = file.file.tell()
    file.file.seek(0)
    if size > MAX_UPLOAD_BYTES:
        raise FileTooLargeError.of_size(size, MAX_UPLOAD_BYTES)
    return await (await _proxy(services)).upload(await file.read(), file.filename)


@router.post(
    "/vector-stores/{vector_store_id}/files", response_model=VectorStoreFileResponse, responses=ONE
)
async def attach_file(
    vector_store_id: str, body: VectorStoreFileCreateRequest, _auth: Manage, services: ServicesDep
) -> VectorStoreFileResponse:
    """Attach an uploaded file; OGX chunks and embeds it (poll its ``status``)."""
    return await (await _proxy(services)).attach(vector_store_id, body)


@router.get(
    "/vector-stores/{vector_store_id}/files",
    response_model=VectorStoreFilesListResponse,
    responses=ONE,
)
async def list_files(
    vector_store_id: str, _auth: Read, services: ServicesDep
) -> VectorStoreFilesListResponse:
    """Files attached to a store."""
    return await (await _proxy(services)).files(vector_store_id)


@router.get(
    "/vector-stores/{vector_store_id}/files/{file_id}",
    response_model=VectorStoreFileResponse,
    responses=ONE,
)
async def get_file(
    vector_store_id: str, file_id: str, _auth: Read, services: ServicesDep
) -> VectorStoreFileResponse:
    """One attached file, with its processing ``status``."""
    return await (await _proxy(services)).file(vector_store_id, file_id)


@router.delete(
    "/vector-stores/{vector_store_id}/files/{file_id}",
    response_model=VectorStoreFileDeleteResponse,
    responses=MANY,
)
async def delete_file(
    vector_store_id: str, file_id: str, _auth: Manage, services: ServicesDep
) -> VectorStoreFileDeleteResponse:
    """Detach a file (``deleted: false`` when it is not attached)."""
    return await (await _proxy(services)).delete_file(vector_store_id, file_id)
