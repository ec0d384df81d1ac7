"""The vector-store layer over the typed ports, with the in-memory fakes."""

from __future__ import annotations

import pytest

from lightspeed_core.errors import BackendUnavailableError, InternalError, NotFoundError
from lightspeed_core.llm.ports import ResourceCallError, VectorStoreFile
from lightspeed_core.rag import proxy
from lightspeed_core.rag.proxy import FileTooLargeError, VectorStoreProxy
from lightspeed_core.rag.rags import get_rag, list_rags
from lightspeed_core.rag.stores import StoreCatalog
from lightspeed_core.schemas.vector_stores import (
    VectorStoreCreateRequest,
    VectorStoreFileCreateRequest,
    VectorStoreUpdateRequest,
)
from lightspeed_core.testing.fake_llm import InMemoryFiles, InMemoryVectorStores


class LockedOnce(InMemoryVectorStores):
    """SQLite says "database is locked" on the first attach."""

    def __init__(self, failure: Exception) -> None:
        super().__init__()
        self.failure: Exception | None = failure

    async def attach(
        self, vector_store_id: str, body: VectorStoreFileCreateRequest
    ) -> VectorStoreFile:
        if self.failure is not None:
            failure, self.failure = self.failure, None
            raise failure
        return await super().attach(vector_store_id, body)


async def test_store_lifecycle_and_missing_stores() -> None:
    stores = InMemoryVectorStores()
    api = VectorStoreProxy(stores, InMemoryFiles())
    created = await api.create(VectorStoreCreateRequest(name="docs"))
    assert (created.name, created.status, created.usage_bytes) == ("docs", "completed", 0)
    assert [s.id for s in (await api.list()).data] == [created.id]
    renamed = await api.update(created.id, VectorStoreUpdateRequest(name="manuals"))
    assert renamed.name == "manuals"
    with pytest.raises(NotFoundError) as raised:
        await api.get("vs_missing")
    assert raised.value.response == "Vector Store not found"
    assert (await api.delete(created.id)).deleted
    assert not (await api.delete(created.id)).deleted


async def test_files_upload_attach_detach() -> None:
    files = InMemoryFiles()
    api = VectorStoreProxy(InMemoryVectorStores(), files)
    uploaded = await api.upload(b"hello", "notes")
    assert (uploaded.filename, uploaded.bytes, uploaded.purpose) == ("notes.txt", 5, "assistants")
    store = await api.create(VectorStoreCreateRequest(name="s"))
    attached = await api.attach(store.id, VectorStoreFileCreateRequest(file_id=uploaded.id))
    assert (attached.vector_store_id, attached.status) == (store.id, "completed")
    assert [f.id for f in (await api.files(store.id)).data] == [uploaded.id]
    with pytest.raises(NotFoundError) as raised:
        await api.file(store.id, "file-missing")
    assert raised.value.response == "File not found"
    assert (await api.delete_file(store.id, uploaded.id)).deleted
    assert not (await api.delete_file(store.id, uploaded.id)).deleted
    with pytest.raises(FileTooLargeError):
        await api.upload(b"x" * (proxy.MAX_UPLOAD_BYTES + 1), "big")


async def test_attach_retries_while_the_database_is_locked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(proxy, "ATTACH_RETRY_DELAY", 0.0)
    stores = LockedOnce(ResourceCallError("database is locked", not_found=False))
    api = VectorStoreProxy(stores, InMemoryFiles())
    store = await api.create(VectorStoreCreateRequest(name="s"))
    attached = await api.attach(store.id, VectorStoreFileCreateRequest(file_id="f1"))
    assert attached.id == "f1"


async def test_failures_map_to_the_contract() -> None:
    unreachable = LockedOnce(BackendUnavailableError("refused"))
    api = VectorStoreProxy(unreachable, InMemoryFiles())
    store = await api.create(VectorStoreCreateRequest(name="s"))
    with pytest.raises(BackendUnavailableError):
        await api.attach(store.id, VectorStoreFileCreateRequest(file_id="f1"))
    broken = LockedOnce(ResourceCallError("", kind="KeyError", not_found=False))
    api = VectorStoreProxy(broken, InMemoryFiles())
    store = await api.create(VectorStoreCreateRequest(name="s"))
    with pytest.raises(InternalError) as raised:
        await api.attach(store.id, VectorStoreFileCreateRequest(file_id="f1"))
    assert raised.value.cause == "KeyError"


async def test_rags_are_shown_under_their_rag_id() -> None:
    stores = InMemoryVectorStores()
    api = VectorStoreProxy(stores, InMemoryFiles())
    store = await api.create(VectorStoreCreateRequest(name="docs"))
    catalog = StoreCatalog()
    assert (await list_rags(stores, catalog)).rags == [store.id]
    assert (await get_rag(stores, catalog, store.id)).id == store.id
    with pytest.raises(NotFoundError) as raised:
        await get_rag(stores, catalog, "nope")
    assert raised.value.response == "Rag not found"
