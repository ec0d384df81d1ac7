"""``QueryRequest`` / ``QueryResponse`` (``/v1/query``, ``/v1/streaming_query``)."""

from __future__ import annotations

from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from lightspeed_core.ids import is_valid_conversation_id

MEDIA_TYPES = ("application/json", "text/plain")


class Attachment(BaseModel):
    """A document or image sent along with the question."""

    model_config = ConfigDict(extra="forbid")

    attachment_type: str = Field(examples=["log"])
    content_type: str = Field(examples=["text/plain"])
    content: str


class SolrVectorSearchRequest(BaseModel):
    """OKP/Solr inline RAG options (accepted for compatibility).

    The legacy form - an object of filters only, without ``mode`` or ``filters`` keys - is
    read as ``{"filters": <object>}``.
    """

    model_config = ConfigDict(extra="forbid")

    mode: Literal["semantic", "hybrid", "lexical", "keyword"] | None = None
    filters: dict[str, Any] | None = None

    @model_validator(mode="before")
    @classmethod
    def _legacy_filters(cls, data: Any) -> Any:
        if isinstance(data, dict) and data and not {"mode", "filters"} & data.keys():
            return {"filters": data}
        return data


class QueryRequest(BaseModel):
    """A question, optionally continuing a conversation."""

    model_config = ConfigDict(extra="forbid")

    query: str = Field(examples=["What is Kubernetes?"])
    conversation_id: str | None = None
    provider: str | None = None
    model: str | None = None
    system_prompt: str | None = None
    attachments: list[Attachment] | None = None
    no_tools: bool | None = False
    generate_topic_summary: bool | None = True
    media_type: str | None = None
    vector_store_ids: list[str] | None = None
    shield_ids: list[str] | None = None
    solr: SolrVectorSearchRequest | None = None

    @field_validator("conversation_id")
    @classmethod
    def _check_conversation_id(cls, value: str | None) -> str | None:
        if value is not None and not is_valid_conversation_id(value):
            raise ValueError(f"Improper conversation ID '{value}'")
        return value

    @field_validator("media_type")
    @classmethod
    def _check_media_type(cls, value: str | None) -> str | None:
        if value is not None and value not in MEDIA_TYPES:
            raise ValueError(f"media_type must be one of {', '.join(MEDIA_TYPES)}")
        return value

    @model_validator(mode="after")
    def _provider_and_model_together(self) -> Self:
        if self.model and not self.provider:
            raise ValueError("Provider must be specified if model is specified")
        if self.provider and not self.model:
            raise ValueError("Model must be specified if provider is specified")
        return self


class RAGChunk(BaseModel):
    """A retrieved chunk (deprecated field, kept for clients)."""

    content: str
    source: str | None = None
    score: float | None = None
    attributes: dict[str, Any] | None = None


class ReferencedDocument(BaseModel):
    """A document the answer drew on."""

    doc_url: str | None = None
    doc_title: str | None = None
    source: str | None = None
    document_id: str | None = None


class ToolCallSummary(BaseModel):
    """A tool the model called."""

    id: str
    name: str
    args: dict[str, Any] = Field(default_factory=dict)
    type: str = "tool_call"


class ToolResultSummary(BaseModel):
    """The result of a tool call."""

    id: str
    status: str
    content: str
    type: str = "tool_result"
    round: int


class QueryResponse(BaseModel):
    """The answer (field order as the reference serialises it)."""

    conversation_id: str | None = None
    response: str
    rag_chunks: list[RAGChunk] = Field(default_factory=list)
    referenced_documents: list[ReferencedDocument] = Field(default_factory=list)
    truncated: bool = False
    input_tokens: int = 0
    output_tokens: int = 0
    available_quotas: dict[str, int] = Field(default_factory=dict)
    tool_calls: list[ToolCallSummary] = Field(default_factory=list)
    tool_results: list[ToolResultSummary] = Field(default_factory=list)
