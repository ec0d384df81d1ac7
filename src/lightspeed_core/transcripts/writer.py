"""Transcript files (contract 3.4), written for every stored turn when enabled.

``<transcripts_storage>/<sha256(user_id)>/<conversation_id>/<uuid4>.json`` with::

    {"metadata": {"provider", "model", "query_provider", "query_model",
                  "user_id" (sha256), "conversation_id", "timestamp"},
     "redacted_query", "query_is_valid", "llm_response", "rag_chunks", "truncated",
     "attachments", "tool_calls", "tool_results"}

The file is written in a worker thread (never blocking the event loop), to a temporary
name and then renamed. The pipeline writes it before the turn reaches the database; a
failed write is a 500 ``Failed to store transcript`` and the turn is not stored.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lightspeed_core.config.models.user_data import UserDataCollection
from lightspeed_core.errors import InternalError
from lightspeed_core.jsonfiles import write_json_file

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
    """Writes transcripts under ``storage``; ``storage=None`` (disabled) writes nothing."""

    def __init__(self, storage: Path | None) -> None:
        self.storage = storage

    @property
    def enabled(self) -> bool:
        return self.storage is not None

    def folder(self, user_id: str, conversation_id: str) -> str:
        """Where the transcripts of one user's conversation go (a string: see jsonfiles.py)."""
        assert self.storage is not None
        name = os.path.basename(conversation_id)
        return os.path.join(os.fspath(self.storage), hashed_user_id(user_id), name)

    async def write(self, record: TranscriptRecord) -> None:
        """Write the transcript of a turn (no-op when disabled); 500 when it fails."""
        if self.storage is None:
            return
        folder = self.folder(record.user_id, record.conversation_id)
        document = transcript(record)
        try:
            await asyncio.to_thread(write_json_file, folder, f"{uuid.uuid4()}.json", document)
        except OSError as exc:
            log.error("storing a transcript in %s failed: %s", folder, exc)
            raise InternalError(
                "Failed to store transcript", f"Failed to store transcript at directory: {folder}"
            ) from exc


def build_transcripts(config: UserDataCollection) -> TranscriptWriter:
    """A writer for ``transcripts_storage`` when ``transcripts_enabled``, else a no-op one."""
    return TranscriptWriter(config.transcripts_storage if config.transcripts_enabled else None)
