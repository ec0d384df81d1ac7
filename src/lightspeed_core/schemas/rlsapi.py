"""``POST /v1/infer`` bodies (rlsapi v1, the RHEL Lightspeed Command Line Assistant)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from lightspeed_core.schemas.query import (
    RAGChunk,
    ReferencedDocument,
    ToolCallSummary,
    ToolResultSummary,
)

MAX_CONTEXT_CHARS = 65_536
_SYSTEM_TEXT = r"^[a-zA-Z0-9._ \-]*$"


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RlsapiV1Attachment(_Body):
    """A file read on the client."""

    contents: str = Field(
        default="", max_length=MAX_CONTEXT_CHARS, description="File contents read on client"
    )
    mimetype: str = Field(default="", description="MIME type of the file")


class RlsapiV1Terminal(_Body):
    """Terminal output read on the client."""

    output: str = Field(
        default="", max_length=MAX_CONTEXT_CHARS, description="Terminal output from client"
    )


class RlsapiV1SystemInfo(_Body):
    """The client machine: operating system, version, architecture, machine id."""

    os: str = Field(default="", pattern=_SYSTEM_TEXT, description="Operating system name")
    version: str = Field(default="", pattern=_SYSTEM_TEXT, description="Operating system version")
    arch: str = Field(default="", pattern=_SYSTEM_TEXT, description="System architecture")
    id: str = Field(default="", pattern=r"^[a-zA-Z0-9._\-]*$", description="Client machine ID")


class RlsapiV1CLA(_Body):
    """The Command Line Assistant that sent the request."""

    nevra: str = Field(default="", pattern=r"^[a-zA-Z0-9._:+~\-]*$", description="CLA NEVRA")
    version: str = Field(
        default="", pattern=r"^[a-zA-Z0-9._\-]*$", description="Command line assistant version"
    )


class RlsapiV1Context(_Body):
    """What the client sends along with the question."""

    stdin: str = Field(
        default="", max_length=MAX_CONTEXT_CHARS, description="Redirect input from stdin"
    )
    attachments: RlsapiV1Attachment = Field(
        default_factory=RlsapiV1Attachment, description="File attachment data"
    )
    terminal: RlsapiV1Terminal = Field(
        default_factory=RlsapiV1Terminal, description="Terminal output context"
    )
    systeminfo: RlsapiV1SystemInfo = Field(
        default_factory=RlsapiV1SystemInfo, description="Client system information"
    )
    cla: RlsapiV1CLA = Field(default_factory=RlsapiV1CLA, description="CLA metadata")


class RlsapiV1InferRequest(_Body):
    """A question from the Command Line Assistant, with its context."""

    question: str = Field(min_length=1, max_length=32_768, description="User question")
    context: RlsapiV1Context = Field(
        default_factory=RlsapiV1Context,
        description="Optional context (system info, terminal output, stdin, attachments)",
    )
    skip_rag: bool = Field(default=False, description="Reserved for future use.")
    include_metadata: bool = Field(
        default=False,
        description=(
            "[Development/Testing Only] Return tool calls, RAG chunks and token counts; only "
            "honoured when rlsapi_v1.allow_verbose_infer is set."
        ),
    )


class RlsapiV1InferData(_Body):
    """The answer; the optional fields only in verbose mode."""

    text: str = Field(description="Generated response text")
    request_id: str | None = Field(default=None, description="Unique request identifier")
    tool_calls: list[ToolCallSummary] | None = None
    tool_results: list[ToolResultSummary] | None = None
    rag_chunks: list[RAGChunk] | None = None
    referenced_documents: list[ReferencedDocument] | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None


class RlsapiV1InferResponse(_Body):
    """``{"data": {...}}``."""

    data: RlsapiV1InferData = Field(description="Response data containing text and request_id")
