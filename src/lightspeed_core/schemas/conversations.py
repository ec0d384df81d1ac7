"""Bodies of ``/v1/conversations`` and ``/v2/conversations`` (field order as the reference)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from lightspeed_core.schemas.query import ReferencedDocument, ToolCallSummary, ToolResultSummary


class ConversationDetails(BaseModel):
    """One conversation in the v1 listing (from the user database)."""

    conversation_id: str
    created_at: str | None = None
    last_message_at: str | None = None
    message_count: int | None = None
    last_used_model: str | None = None
    last_used_provider: str | None = None
    topic_summary: str | None = None


class ConversationsListResponse(BaseModel):
    """``GET /v1/conversations``."""

    conversations: list[ConversationDetails]


class ConversationData(BaseModel):
    """One conversation in the v2 listing (from the conversation cache)."""

    conversation_id: str
    topic_summary: str | None
    last_message_timestamp: float


class ConversationsListResponseV2(BaseModel):
    """``GET /v2/conversations`` (newest first)."""

    conversations: list[ConversationData]


class Message(BaseModel):
    """A message of a turn; ``referenced_documents`` only for assistant messages."""

    content: str
    type: Literal["user", "assistant", "system", "developer"]
    referenced_documents: list[ReferencedDocument] | None = None


class ConversationTurn(BaseModel):
    """One question and answer of a conversation."""

    messages: list[Message] = Field(default_factory=list)
    tool_calls: list[ToolCallSummary] = Field(default_factory=list)
    tool_results: list[ToolResultSummary] = Field(default_factory=list)
    provider: str
    model: str
    started_at: str
    completed_at: str


class ConversationResponse(BaseModel):
    """``GET /v1|v2/conversations/{id}``."""

    conversation_id: str
    chat_history: list[ConversationTurn]


class ConversationDeleteResponse(BaseModel):
    """``DELETE /v1|v2/conversations/{id}`` (``success`` is deprecated, always true)."""

    deleted: bool
    conversation_id: str
    response: str

    @computed_field(json_schema_extra={"deprecated": True})  # type: ignore[prop-decorator]
    @property
    def success(self) -> bool:
        """Always true (deprecated, kept for clients of the reference)."""
        return True

    @classmethod
    def of(cls, conversation_id: str, deleted: bool) -> ConversationDeleteResponse:
        """The body for a delete that did (or did not) find the conversation."""
        text = "Conversation deleted successfully" if deleted else "Conversation not found"
        return cls(deleted=deleted, conversation_id=conversation_id, response=text)


class ConversationUpdateRequest(BaseModel):
    """``PUT /v1|v2/conversations/{id}``: a new topic summary."""

    model_config = ConfigDict(extra="forbid")

    topic_summary: str = Field(min_length=1, max_length=1000)


class ConversationUpdateResponse(BaseModel):
    """The answer to a topic summary update."""

    # defaults for us, required in the published schema (the reference's)
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    conversation_id: str
    success: bool = True
    message: str = "Topic summary updated successfully"
