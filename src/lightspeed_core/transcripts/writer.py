"""Transcript files (contract 3.4), written for every stored turn when enabled.

``<transcripts_storage>/<sha256(user_id)>/<conversation_id>/<uuid4>.json`` with::

    {"metadata": {"provider", "model", "query_provider", "query_model",
                  "user_id" (sha256), "conversation_id", "timestamp"},
     "redacted_query", "query_is_valid", "llm_response", "rag_chunks", "truncated",
     "attachments", "tool_calls", "tool_results"}

The document is built and encoded when the turn ends; the file is written behind the
answer by a :class:`~lightspeed_core.transcripts.batch.FileBatcher` (a bounded queue, batches
of files per worker-thread hop, a temporary name then a rename), so the request does not wait
for the disk. A file that cannot be written is logged and counted in
``ls_transcript_failures_total``; the answer and the stored turn are unaffected (the
reference writes it on the request path: docs/differences.md). The lifespan flushes the queue
at shutdown (:meth:`TranscriptWriter.close`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lightspeed_core.config.models.user_data import UserDataCollection
from lightspeed_core.jsonfiles import encode_json, write_file_atomically
from lightspeed_core.metrics.registry import Metrics
from lightspeed_core.transcripts.batch import LINGER, FileBatcher, PendingFile, WriteFile

log = logging.getLogger(__name__)


def hashed_user_id(user_id: str) -> str:
    """The user id as it appears in transcript paths and metadata."""
    return hashlib.sha256(user_id.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class TranscriptRecord:
    """What a transcript says about one turn (lists hold the contract's wire dicts)."""

    user_id: str
    conversation_id: str
    provider: str
    model: str
    query_provider: str | None
    query_model: str | None
    redacted_query: str  # the question after redaction shields
    query_is_valid: bool
    llm_response: str
    rag_chunks: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    tool_results: list[dict[str, Any]] = field(default_factory=list)


def transcript(record: TranscriptRecord) -> dict[str, Any]:
    """The transcript document of one turn."""
    return {
        "metadata": {
            "provider": record.provider,
            "model": record.model,
            "query_provider": record.query_provider,
            "query_model": record.query_model,
            "user_id": hashed_user_id(record.user_id),
            "conversation_id": record.conversation_id,
            "timestamp": datetime.now(UTC).isoformat(),
        },
        "redacted_query": record.redacted_query,
        "query_is_valid": record.query_is_valid,
        "llm_response": record.llm_response,
        "rag_chunks": record.rag_chunks,
        "truncated": False,
        "attachments": record.attachments,
        "tool_calls": record.tool_calls,
        "tool_results": record.tool_results,
    }


class TranscriptWriter:
    """Writes transcripts under ``storage``; ``storage=None`` (disabled) writes nothing.

    ``metrics`` counts files that could not be written (``ls_transcript_failures_total``);
    ``write_file`` and ``linger`` are seams for tests and benchmarks.
    """

    def __init__(
        self,
        storage: Path | None,
        metrics: Metrics | None = None,
        *,
        write_file: WriteFile = write_file_atomically,
        linger: float = LINGER,
    ) -> None:
        self.storage = storage
        self.metrics = metrics
        self.failed = 0  # files that could not be written, in this process
        self.batcher = FileBatcher(write_file, self._failed, linger=linger)

    @property
    def enabled(self) -> bool:
        return self.storage is not None

    def folder(self, user_id: str, conversation_id: str) -> str:
        """Where the transcripts of one user's conversation go (a string: see jsonfiles.py)."""
        assert self.storage is not None
        name = os.path.basename(conversation_id)
        return os.path.join(os.fspath(self.storage), hashed_user_id(user_id), name)

    async def write(self, record: TranscriptRecord) -> None:
        """Queue the transcript of a turn (no-op when disabled); never fails the request."""
        if self.storage is None:
            return
        folder = self.folder(record.user_id, record.conversation_id)
        data = encode_json(transcript(record))  # now: the record's lists may change later
        await self.batcher.put(PendingFile(folder, f"{uuid.uuid4()}.json", data))

    def _failed(self, failures: list[tuple[PendingFile, Exception]]) -> None:
        self.failed += len(failures)
        if self.metrics is not None:
            self.metrics.transcript_failures.inc(len(failures))
        item, error = failures[0]
        count = len(failures)
        log.error("storing %d transcript(s) failed, the first in %s: %s", count, item.folder, error)

    async def flush(self) -> None:
        """Return once every transcript queued so far is written (or counted as failed)."""
        await self.batcher.flush()

    async def close(self) -> None:
        """Write every queued transcript (shutdown); later ones are written one by one."""
        await self.batcher.close()


def build_transcripts(config: UserDataCollection, metrics: Metrics) -> TranscriptWriter:
    """A writer for ``transcripts_storage`` when ``transcripts_enabled``, else a no-op one."""
    storage = config.transcripts_storage if config.transcripts_enabled else None
    return TranscriptWriter(storage, metrics)
