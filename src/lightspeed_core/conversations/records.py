"""Value types of the conversation store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class ConversationInfo:
    """A conversation row."""

    id: str
    user_id: str
    created_at: datetime
    last_message_at: datetime
    message_count: int
    last_used_model: str | None = None
    last_used_provider: str | None = None
    topic_summary: str = ""
    last_response_id: str | None = None


@dataclass(frozen=True, slots=True)
class TurnRecord:
    """One stored turn: the question, the answer and what happened in between."""

    query: str
    response: str
    started_at: datetime
    completed_at: datetime
    provider: str | None = None
    model: str | None = None
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    tool_results: list[dict[str, Any]] = field(default_factory=list)
    referenced_documents: list[dict[str, Any]] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    input_tokens: int = 0
    output_tokens: int = 0
    interrupted: bool = False
    response_id: str | None = None
    turn_number: int = 0
