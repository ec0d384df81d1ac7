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
import uuid
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lightspeed_core.config.models.user_data import UserDataCollection
from lightspeed_core.errors import InternalError
from lightspeed_core.feedback.files import write_json_file

if TYPE_CHECKING:
    from lightspeed_core.pipeline.outcome import Outcome
    from lightspeed_core.pipeline.prepare import PreparedQuery

log = logging.getLogger(__name__)


def hashed_user_id(user_id: str) -> str:
    """The user id as it appears in transcript paths and metadata."""
    return hashlib.sha256(user_id.encode("utf-8")).hexdigest()


def transcript(prepared: PreparedQuery, outcome: Outcome, answer: str) -> dict[str, Any]:
    """The transcript document of one turn."""
    request = prepared.request
    return {
        "metadata": {
            "provider": prepared.model.provider_id,
            "model": prepared.model.provider_resource_id,
            "query_provider": request.provider,
            "query_model": request.model,
            "user_id": hashed_user_id(prepared.auth.principal.user_id),
            "conversation_id": prepared.conversation_id,
            "timestamp": datetime.now(UTC).isoformat(),
        },
        "redacted_query": prepared.question,  # the question after redaction shields
        "query_is_valid": prepared.refusal is None,
        "llm_response": answer,
        "rag_chunks": [asdict(c) for c in (*prepared.context.chunks, *outcome.chunks)],
        "truncated": False,
        "attachments": [a.model_dump() for a in request.attachments or []],
        "tool_calls": [
            {"id": c.id, "name": c.name, "args": c.args, "type": "tool_call"}
            for c in outcome.tool_calls
        ],
        "tool_results": [
            {
                "id": r.id,
                "status": r.status,
                "content": r.content,
                "type": "tool_result",
                "round": r.round,
            }
            for r in outcome.tool_results
        ],
    }


class TranscriptWriter:
    """Writes transcripts under ``storage``; ``storage=None`` (disabled) writes nothing."""

    def __init__(self, storage: Path | None) -> None:
        self.storage = storage

    @property
    def enabled(self) -> bool:
        return self.storage is not None

    def folder(self, user_id: str, conversation_id: str) -> Path:
        """Where the transcripts of one user's conversation go."""
        assert self.storage is not None
        return self.storage / hashed_user_id(user_id) / Path(conversation_id).name

    async def write(self, prepared: PreparedQuery, outcome: Outcome, answer: str) -> None:
        """Write the transcript of a turn (no-op when disabled); 500 when it fails."""
        if self.storage is None:
            return
        folder = self.folder(prepared.auth.principal.user_id, prepared.conversation_id)
        document = transcript(prepared, outcome, answer)
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
