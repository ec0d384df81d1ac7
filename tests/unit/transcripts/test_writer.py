"""``TranscriptWriter``: documents queued at the turn's end, written behind it, failures counted."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from lightspeed_core.metrics.registry import Metrics
from lightspeed_core.testing.files import FakeDisk
from lightspeed_core.transcripts.writer import TranscriptRecord, TranscriptWriter


def record(conversation: str = "c1", answer: str = "Hello") -> TranscriptRecord:
    return TranscriptRecord(
        user_id="alice",
        conversation_id=conversation,
        provider="p",
        model="m",
        query_provider=None,
        query_model=None,
        redacted_query="hi",
        query_is_valid=True,
        llm_response=answer,
        tool_calls=[{"id": "1"}],
    )


async def test_files_appear_after_flush_in_the_contract_layout(tmp_path: Path) -> None:
    writer = TranscriptWriter(tmp_path)
    for n in range(5):
        await writer.write(record(answer=f"a{n}"))
    await writer.flush()
    folder = tmp_path / hashlib.sha256(b"alice").hexdigest() / "c1"
    documents = [json.loads(p.read_text()) for p in folder.glob("*.json")]
    assert sorted(d["llm_response"] for d in documents) == [f"a{n}" for n in range(5)]
    assert not list(folder.glob(".*"))  # no temporary files left
    await writer.close()


async def test_the_document_is_taken_when_the_turn_ends(tmp_path: Path) -> None:
    disk = FakeDisk()
    writer = TranscriptWriter(tmp_path, write_file=disk.write)
    disk.gate.clear()
    turn = record()
    await writer.write(turn)
    turn.tool_calls.append({"id": "later"})  # changed after the turn was queued
    disk.gate.set()
    await writer.close()
    ((_key, data),) = disk.files.items()
    assert json.loads(data)["tool_calls"] == [{"id": "1"}]


async def test_failures_are_logged_and_counted_not_raised(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    metrics = Metrics()
    blocked = tmp_path / "transcripts"
    blocked.write_text("a file where the folder should be")
    writer = TranscriptWriter(blocked, metrics)
    await writer.write(record())  # does not raise
    await writer.write(record("c2"))
    await writer.close()
    assert writer.failed == 2
    assert metrics.registry.get_sample_value("ls_transcript_failures_total") == 2
    assert "storing 2 transcript(s) failed" in caplog.text  # one line per batch


async def test_disabled_writes_nothing(tmp_path: Path) -> None:
    writer = TranscriptWriter(None)
    await writer.write(record())
    await writer.close()
    assert writer.batcher.batches == 0
    assert not writer.enabled
