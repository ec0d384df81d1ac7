"""``ResponsesRequest`` / ``ResponsesResponse`` (``POST /v1/responses``, OpenAI Responses).

The OpenAI Responses objects (input items, tools, tool choice, output items, usage ...) are
OGX's own models (``ogx_api.openai_responses``): the body is validated with the types OGX
accepts, and what we answer is what OGX produced, re-labelled. Input items are one flat
union (as in the reference's schema), not OGX's nested one.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from ogx_api.openai_responses import (
    OpenAIResponseError,
    OpenAIResponseInputFunctionToolCallOutput,
    OpenAIResponseInputToolChoice,
    OpenAIResponseInputToolFunction,
    OpenAIResponseInputToolMCP,
    OpenAIResponseMCPApprovalRequest,
    OpenAIResponseMCPApprovalResponse,
    OpenAIResponseMessage,
    OpenAIResponseOutputMessageFileSearchToolCall,
    OpenAIResponseOutputMessageFunctionToolCall,
    OpenAIResponseOutputMessageMCPCall,
    OpenAIResponseOutputMessageMCPListTools,
    OpenAIResponseOutputMessageReasoningItem,
    OpenAIResponsePrompt,
    OpenAIResponseText,
    OpenAIResponseToolMCP,
    OpenAIResponseUsage,
)
from ogx_api.responses.models import ResponseItemInclude
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from lightspeed_core.ids import is_valid_conversation_id
from lightspeed_core.schemas.query import SolrVectorSearchRequest

MODERATION_PREFIX = "modr"
"""The id prefix of a response that a shield wrote (no model answer to continue from)."""

MAX_BODY_CHARACTERS = 65_536
"""The longest raw request body accepted (characters of JSON), as in the reference."""


class Reasoning(BaseModel):
    """Reasoning options (accepted; passed to the model)."""

    effort: Literal["none", "minimal", "low", "medium", "high", "xhigh"] | None = None
    summary: Literal["auto", "concise", "detailed"] | None = None


class WebSearchTool(BaseModel):
    """A ``web_search`` tool (OGX runs it when its run config has a search provider)."""

    type: Literal[
        "web_search", "web_search_preview", "web_search_preview_2025_03_11", "web_search_2025_08_26"
    ] = "web_search"
    search_context_size: str | None = Field("medium", pattern="^low|medium|high$")


class RankingOptions(BaseModel):
    """How a ``file_search`` ranks its hits."""

    ranker: str | None = None
    score_threshold: float | None = 0.0
    alpha: float | None = Field(None, ge=0.0, le=1.0)
    impact_factor: float | None = Field(None, gt=0.0)
    weights: dict[str, float] | None = None
    model: str | None = None


class FileSearchTool(BaseModel):
    """A ``file_search`` tool over vector stores (ours: ``rag_id``s or OGX ids)."""

    type: Literal["file_search"] = "file_search"
    vector_store_ids: list[str]
    filters: dict[str, Any] | None = None
    max_num_results: int | None = Field(10, ge=1, le=50)
    ranking_options: RankingOptions | None = None


class WebSearchCall(BaseModel):
    """A web search the model made."""

    id: str
    status: str
    type: Literal["web_search_call"] = "web_search_call"


InputTool = Annotated[
    WebSearchTool | FileSearchTool | OpenAIResponseInputToolFunction | OpenAIResponseInputToolMCP,
    Field(discriminator="type"),
]
"""A tool a client sends: web search, file search, a function it runs itself, an MCP server."""

ResponseTool = Annotated[
    WebSearchTool | FileSearchTool | OpenAIResponseInputToolFunction | OpenAIResponseToolMCP,
    Field(discriminator="type"),
]
"""A tool as a response lists it (MCP tools without their URL and headers)."""

OutputItem = Annotated[
    OpenAIResponseMessage
    | WebSearchCall
    | OpenAIResponseOutputMessageFileSearchToolCall
    | OpenAIResponseOutputMessageFunctionToolCall
    | OpenAIResponseOutputMessageMCPCall
    | OpenAIResponseOutputMessageMCPListTools
    | OpenAIResponseMCPApprovalRequest
    | OpenAIResponseOutputMessageReasoningItem,
    Field(discriminator="type"),
]
"""One item of a response's ``output``."""

ResponseItem = Annotated[
    OpenAIResponseMessage
    | WebSearchCall
    | OpenAIResponseOutputMessageFileSearchToolCall
    | OpenAIResponseOutputMessageFunctionToolCall
    | OpenAIResponseOutputMessageMCPCall
    | OpenAIResponseOutputMessageMCPListTools
    | OpenAIResponseMCPApprovalRequest
    | OpenAIResponseOutputMessageReasoningItem
    | OpenAIResponseInputFunctionToolCallOutput
    | OpenAIResponseMCPApprovalResponse,
    Field(union_mode="left_to_right"),
]
"""One input item: a message (``type`` may be left out), a tool call or a tool's output."""


class ResponsesRequest(BaseModel):
    """An OpenAI Responses ``create`` body, plus the LCS extensions."""

    model_config = ConfigDict(extra="forbid")

    input: str | list[ResponseItem] = Field(examples=["What is Kubernetes?"])
    model: str | None = Field(None, examples=["openai/gpt-4o-mini"])
    conversation: str | None = None
    include: list[ResponseItemInclude] | None = None
    instructions: str | None = None
    max_infer_iters: int | None = None
    max_output_tokens: int | None = None
    max_tool_calls: int | None = None
    metadata: dict[str, str] | None = None
    parallel_tool_calls: bool | None = None
    previous_response_id: str | None = None
    prompt: OpenAIResponsePrompt | None = None
    reasoning: Reasoning | None = None
    safety_identifier: str | None = None
    store: bool = True
    stream: bool = False
    temperature: float | None = None
    text: OpenAIResponseText | None = None
    tool_choice: OpenAIResponseInputToolChoice | None = None
    tools: list[InputTool] | None = None
    generate_topic_summary: bool | None = True
    shield_ids: list[str] | None = None
    solr: SolrVectorSearchRequest | None = None

    @field_validator("conversation")
    @classmethod
    def _check_conversation(cls, value: str | None) -> str | None:
        if value is not None and not is_valid_conversation_id(value):
            raise ValueError(f"Improper conversation ID '{value}'")
        return value

    @field_validator("previous_response_id")
    @classmethod
    def _check_previous(cls, value: str | None) -> str | None:
        if value is not None and value.startswith(MODERATION_PREFIX):
            raise ValueError("You cannot provide context by moderation response.")
        return value

    @model_validator(mode="after")
    def _one_context(self) -> Self:
        if self.conversation is not None and self.previous_response_id is not None:
            raise ValueError(
                "'conversation' and 'previous_response_id' are mutually exclusive. "
                "Only one can be provided at a time."
            )
        return self


class ResponsesResponse(BaseModel):
    """An OpenAI response object plus ``conversation`` and ``available_quotas``."""

    created_at: int
    completed_at: int | None = None
    error: OpenAIResponseError | None = None
    id: str
    model: str
    object: Literal["response"] = "response"
    output: list[OutputItem]
    parallel_tool_calls: bool = True
    previous_response_id: str | None = None
    prompt: OpenAIResponsePrompt | None = None
    status: str
    temperature: float | None = None
    text: OpenAIResponseText | None = None
    top_p: float | None = None
    tools: list[ResponseTool] | None = None
    tool_choice: OpenAIResponseInputToolChoice | None = None
    truncation: str | None = None
    usage: OpenAIResponseUsage | None = None
    instructions: str | None = None
    max_tool_calls: int | None = None
    reasoning: Reasoning | None = None
    max_output_tokens: int | None = None
    safety_identifier: str | None = None
    metadata: dict[str, str] | None = None
    store: bool | None = None
    conversation: str | None = None
    available_quotas: dict[str, int]
    output_text: str


def dump_item(item: Any) -> dict[str, Any]:
    """An input item as the JSON OGX takes (``None`` fields left out)."""
    dumped: dict[str, Any] = item.model_dump(mode="json", exclude_none=True)
    return dumped
