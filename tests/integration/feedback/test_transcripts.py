"""Transcript files (contract 3.4) for ``/v1/query`` and ``/v1/streaming_query``."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from lightspeed_core.testing.scripted_backend import BackgroundServer
from tests.support.app import running_app, stub_config

pytestmark = pytest.mark.xdist_group("feedback")
ALICE = {"user_id": "alice"}


def config(base_url: str, storage: Path) -> dict[str, object]:
    data = {"transcripts_enabled": True, "transcripts_storage": str(storage)}
    return stub_config(base_url, user_data_collection=data)


async def test_a_transcript_per_turn(scripted: BackgroundServer, tmp_path: Path) -> None:
    storage = tmp_path / "transcripts"
    async with running_app(config(scripted.base_url, storage), tmp_path) as app:
        attachment = {"attachment_type": "log", "content_type": "text/plain", "content": "boom"}
        reply = await app.client.post(
            "/v1/query",
            json={
                "query": "Say hello",
                "attachments": [attachment],
                "generate_topic_summary": False,
            },
            params=ALICE,
        )
        cid = reply.json()["conversation_id"]
        await app.client.post(
            "/v1/streaming_query",
            json={"query": "[[say:Again]] more", "conversation_id": cid},
            params=ALICE,
        )
    folder = storage / hashlib.sha256(b"alice").hexdigest() / cid
    files = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime_ns)
    assert len(files) == 2
    first, second = (json.loads(p.read_text()) for p in files)
    assert list(first) == [
        "metadata",
        "redacted_query",
        "query_is_valid",
        "llm_response",
        "rag_chunks",
        "truncated",
        "attachments",
        "tool_calls",
        "tool_results",
    ]
    metadata = first["metadata"]
    assert list(metadata) == [
        "provider",
        "model",
        "query_provider",
        "query_model",
        "user_id",
        "conversation_id",
        "timestamp",
    ]
    assert (metadata["provider"], metadata["model"]) == ("stub", "stub-model")
    assert (metadata["query_provider"], metadata["query_model"]) == (None, None)
    assert metadata["user_id"] == hashlib.sha256(b"alice").hexdigest()
    assert metadata["conversation_id"] == cid
    assert first["redacted_query"] == "Say hello"
    assert first["query_is_valid"] is True
    assert first["llm_response"] == "Hello from stub"
    assert (first["rag_chunks"], first["truncated"]) == ([], False)
    assert first["attachments"] == [attachment]
    assert (first["tool_calls"], first["tool_results"]) == ([], [])
    assert second["llm_response"] == "Again"
    assert not list(folder.glob(".*"))  # no temporary files left


async def test_a_failed_transcript_is_logged_and_counted_and_the_answer_stands(
    scripted: BackgroundServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """docs/differences.md: written behind the answer, a failure cannot fail the request."""
    storage = tmp_path / "transcripts"
    async with running_app(config(scripted.base_url, storage), tmp_path) as app:
        storage.write_text("a file where the directory should be")
        reply = await app.client.post(
            "/v1/query", json={"query": "Say hello", "generate_topic_summary": False}
        )
        assert reply.status_code == 200
        assert reply.json()["response"] == "Hello from stub"
        stream = await app.client.post("/v1/streaming_query", json={"query": "Say hello"})
        events = [json.loads(line[6:]) for line in stream.text.splitlines() if line]
        assert [e["event"] for e in events][-1] == "end"
        # the turns are stored all the same
        assert len(await app.services.conversations.list_conversations(None)) == 2
        await app.services.transcripts.flush()
        metrics = (await app.client.get("/metrics")).text
    assert "ls_transcript_failures_total 2.0" in metrics
    assert "transcript(s) failed" in caplog.text


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """``folder`` unwritable, even for root (the immutable attribute), restored afterwards."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    if shutil.which("chattr") is None:
        pytest.skip("root without chattr cannot make a folder read-only")
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
        pytest.skip("this file system has no immutable attribute")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


async def test_a_read_only_transcript_folder(scripted: BackgroundServer, tmp_path: Path) -> None:
    storage = tmp_path / "transcripts"
    storage.mkdir()
    async with running_app(config(scripted.base_url, storage), tmp_path) as app:
        with read_only(storage):
            reply = await app.client.post("/v1/query", json={"query": "Say hello"})
            assert reply.status_code == 200
            cid = reply.json()["conversation_id"]
            await app.services.transcripts.flush()
            assert app.services.transcripts.failed == 1
        # the turn is stored and readable; the folder writable again, the next one is written
        stored = await app.client.get(f"/v1/conversations/{cid}")
        assert stored.status_code == 200
        await app.client.post("/v1/query", json={"query": "Say hello"})
    assert len(list(storage.rglob("*.json"))) == 1
    assert app.services.transcripts.failed == 1


async def test_image_attachments_are_kept(scripted: BackgroundServer, tmp_path: Path) -> None:
    storage = tmp_path / "transcripts"
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 8).decode()
    image = {"attachment_type": "image", "content_type": "image/png", "content": png}
    async with running_app(config(scripted.base_url, storage), tmp_path) as app:
        await app.client.post(
            "/v1/query", json={"query": "look", "attachments": [image]}, params=ALICE
        )
    (path,) = storage.rglob("*.json")
    assert json.loads(path.read_text())["attachments"] == [image]
