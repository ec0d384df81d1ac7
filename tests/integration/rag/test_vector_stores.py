"""The vector-store and file proxy endpoints against real OGX (faiss + pypdf ingestion)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.support.app import RunningApp, running_app, stub_config
from tests.support.vector_stores import ingested

pytestmark = pytest.mark.xdist_group("rag-vector-stores")


@pytest.fixture(scope="module")
async def vs_app(
    scripted: BackgroundServer, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[RunningApp]:
    """Runtime vector-store capacity configured: faiss provider plus the file processor."""
    folder = tmp_path_factory.mktemp("vector-stores")
    vector_store = {
        "default_provider": "runtime",
        "providers": [
            {
                "id": "runtime",
                "type": "faiss",
                "embedding_model": "sentence-transformers/all-MiniLM-L6-v2",
                "embedding_dimension": 384,
                "config": {"path": str(folder / "runtime.db")},
            }
        ],
    }
    config = stub_config(scripted.base_url, vector_store=vector_store)
    async with running_app(config, folder) as running:
        yield running


async def test_store_lifecycle_upload_attach_search(vs_app: RunningApp) -> None:
    client = vs_app.client
    created = await client.post("/v1/vector-stores", json={"name": "notes", "metadata": {"k": "v"}})
    assert created.status_code == 200, created.text
    store = created.json()
    assert store["name"] == "notes"
    assert store["status"] == "completed"
    vs_id = store["id"]
    assert vs_id in [s["id"] for s in (await client.get("/v1/vector-stores")).json()["data"]]
    renamed = await client.put(f"/v1/vector-stores/{vs_id}", json={"name": "renamed"})
    assert renamed.json()["name"] == "renamed"

    text = b"Llamas carry loads in the Andes. Alpacas are bred for their wool."
    upload = await client.post("/v1/files", files={"file": ("llamas", text, "text/plain")})
    assert upload.status_code == 200, upload.text
    uploaded = upload.json()
    assert uploaded["filename"] == "llamas.txt"
    assert uploaded["bytes"] == len(text)
    assert uploaded["purpose"] == "assistants"
    assert uploaded["object"] == "file"

    attached = await client.post(
        f"/v1/vector-stores/{vs_id}/files",
        json={"file_id": uploaded["id"], "attributes": {"title": "Llamas"}},
    )
    assert attached.status_code == 200, attached.text
    done = await ingested(client, vs_id, uploaded["id"])
    assert done["status"] == "completed", done
    assert done["attributes"]["title"] == "Llamas"
    listed = (await client.get(f"/v1/vector-stores/{vs_id}/files")).json()
    assert [f["id"] for f in listed["data"]] == [uploaded["id"]]
    assert listed["object"] == "list"

    rags = (await client.get("/v1/rags")).json()["rags"]
    assert vs_id in rags

    detached = await client.delete(f"/v1/vector-stores/{vs_id}/files/{uploaded['id']}")
    assert detached.json() == {
        "deleted": True,
        "file_id": uploaded["id"],
        "response": "Vector store file deleted successfully",
    }
    deleted = await client.delete(f"/v1/vector-stores/{vs_id}")
    assert deleted.json() == {
        "deleted": True,
        "vector_store_id": vs_id,
        "response": "Vector store deleted successfully",
    }
    again = await client.delete(f"/v1/vector-stores/{vs_id}")
    assert again.json()["deleted"] is False
    assert again.json()["response"] == "Vector store not found"


async def test_missing_resources_are_404(vs_app: RunningApp) -> None:
    client = vs_app.client
    missing = await client.get("/v1/vector-stores/vs_missing")
    assert missing.status_code == 404
    assert missing.json()["detail"] == {
        "response": "Vector Store not found",
        "cause": "Vector Store with ID vs_missing does not exist",
    }
    update = await client.put("/v1/vector-stores/vs_missing", json={"name": "x"})
    assert update.status_code == 404
    store = (await client.post("/v1/vector-stores", json={"name": "empty"})).json()["id"]
    file = await client.get(f"/v1/vector-stores/{store}/files/file-missing")
    assert file.status_code == 404
    assert file.json()["detail"]["response"] == "File not found"
    bad_provider = await client.post("/v1/vector-stores", json={"name": "x", "provider_id": "nope"})
    assert bad_provider.status_code == 404
    assert bad_provider.json()["detail"]["response"] == "Provider not found"


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/v1/vector-stores", {"name": ""}, "at least 1 character"),
        ("/v1/vector-stores", {"name": "x", "unknown": 1}, "Extra inputs are not permitted"),
        ("/v1/vector-stores", {"name": "x", "embedding_dimension": 0}, "greater than 0"),
        ("/v1/vector-stores/vs_1/files", {"file_id": "f", "attributes": {"k" * 65: "v"}}, "64"),
        (
            "/v1/vector-stores/vs_1/files",
            {"file_id": "f", "attributes": {f"k{i}": i for i in range(17)}},
            "at most 16 pairs",
        ),
        ("/v1/vector-stores/vs_1/files", {"file_id": "f", "attributes": {"k": "v" * 513}}, "512"),
    ],
)
async def test_request_validation(
    vs_app: RunningApp, path: str, body: dict[str, Any], message: str
) -> None:
    response = await vs_app.client.post(path, json=body)
    assert response.status_code == 422
    assert message in response.json()["detail"][0]["msg"]


async def test_update_needs_a_field(vs_app: RunningApp) -> None:
    response = await vs_app.client.put("/v1/vector-stores/vs_1", json={})
    assert response.status_code == 422
    assert "At least one field must be provided" in response.json()["detail"][0]["msg"]


async def test_upload_limit_is_413(vs_app: RunningApp, monkeypatch: pytest.MonkeyPatch) -> None:
    from lightspeed_core.api.routes import vector_stores

    monkeypatch.setattr(vector_stores, "MAX_UPLOAD_BYTES", 10)
    response = await vs_app.client.post(
        "/v1/files", files={"file": ("big.txt", b"x" * 20, "text/plain")}
    )
    assert response.status_code == 413
    detail = response.json()["detail"]
    assert detail["response"] == "File too large"
    assert detail["cause"].startswith("File size ")
    assert detail["cause"].endswith(" exceeds maximum allowed size of 10 bytes (0 MB)")


def test_the_limit_is_100_mib() -> None:
    from lightspeed_core.rag.proxy import MAX_UPLOAD_BYTES, FileTooLargeError

    assert MAX_UPLOAD_BYTES == 104857600
    assert FileTooLargeError.of_size(150000000).cause == (
        "File size 150000000 bytes exceeds maximum allowed size of 104857600 bytes (100 MB)"
    )
