"""Vector-store and file proxy bodies (contract 1.3, reference ``openapi.json`` schemas)."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    computed_field,
    field_validator,
    model_validator,
)

MAX_ATTRIBUTES = 16
MAX_ATTRIBUTE_KEY = 64
MAX_ATTRIBUTE_VALUE = 512

AttributeValue = str | float | bool


class _Auto(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["auto"]


class _StaticConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    max_chunk_size_tokens: int = Field(default=800, ge=100, le=4096)
    chunk_overlap_tokens: int = Field(default=400, ge=0)

    @model_validator(mode="after")
    def _overlap_below_size(self) -> Self:
        if self.chunk_overlap_tokens >= self.max_chunk_size_tokens:
            raise ValueError("chunk_overlap_tokens must be less than max_chunk_size_tokens")
        return self


class _Static(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["static"]
    static: _StaticConfig


class _ContextualConfig(_StaticConfig):
    model_config = ConfigDict(extra="forbid")
    max_chunk_size_tokens: int = Field(default=700, ge=100, le=4096)
    model_id: str | None = Field(default=None, min_length=1)
    context_prompt: str | None = None
    timeout_seconds: int | None = Field(default=None, ge=1)


class _Contextual(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["contextual"]
    contextual: _ContextualConfig = Field(default_factory=_ContextualConfig)


_CHUNKING = TypeAdapter[Any](Annotated[_Auto | _Static | _Contextual, Field(discriminator="type")])


def check_chunking_strategy(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """A chunking strategy OGX accepts (``auto``, ``static``, ``contextual``), else ValueError.

    The reference's schema is a free-form object; OGX refuses anything else with a 500
    (``{}`` included), so the shape is checked here and a bad one is a 422.
    """
    if value is None:
        return value
    try:
        _CHUNKING.validate_python(value)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc']) or 'chunking_strategy'}: {error['msg']}"
            for error in exc.errors(include_url=False)
        )
        raise ValueError(
            'chunking_strategy must be {"type": "auto"}, {"type": "static", "static": {...}} '
            f'or {{"type": "contextual", ...}} ({problems})'
        ) from None
    return value


class VectorStoreCreateRequest(BaseModel):
    """``POST /v1/vector-stores``."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=256, description="Name of the vector store")
    embedding_model: str | None = Field(default=None, description="Embedding model to use")
    embedding_dimension: int | None = Field(
        default=None, gt=0, description="Dimension of the embedding vectors"
    )
    chunking_strategy: dict[str, Any] | None = Field(
        default=None, description="Chunking strategy configuration"
    )
    provider_id: str | None = Field(default=None, description="Vector store provider identifier")
    metadata: dict[str, Any] | None = Field(default=None, description="Metadata dictionary")

    _chunking = field_validator("chunking_strategy")(check_chunking_strategy)


class VectorStoreUpdateRequest(BaseModel):
    """``PUT /v1/vector-stores/{vector_store_id}``: at least one field."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=256, description="New name")
    expires_at: int | None = Field(default=None, gt=0, description="Expiry as Unix time")
    metadata: dict[str, Any] | None = Field(default=None, description="Metadata dictionary")

    @model_validator(mode="after")
    def _at_least_one(self) -> Self:
        if self.name is None and self.expires_at is None and self.metadata is None:
            raise ValueError("At least one field must be provided: name, expires_at, or metadata")
        return self


class VectorStoreFileCreateRequest(BaseModel):
    """``POST /v1/vector-stores/{vector_store_id}/files``."""

    model_config = ConfigDict(extra="forbid")

    file_id: str = Field(min_length=1, description="ID of the file to add to the vector store")
    attributes: dict[str, AttributeValue] | None = Field(
        default=None,
        description=(
            "Set of up to 16 key-value pairs for storing additional information. Keys: strings "
            "(max 64 chars). Values: strings (max 512 chars), booleans, or numbers."
        ),
    )
    chunking_strategy: dict[str, Any] | None = Field(
        default=None, description="Chunking strategy configuration for this file"
    )

    _chunking = field_validator("chunking_strategy")(check_chunking_strategy)

    @field_validator("attributes")
    @classmethod
    def _check_attributes(
        cls, value: dict[str, AttributeValue] | None
    ) -> dict[str, AttributeValue] | None:
        if value is None:
            return value
        if len(value) > MAX_ATTRIBUTES:
            raise ValueError(f"attributes can have at most 16 pairs, got {len(value)}")
        for key, item in value.items():
            if len(key) > MAX_ATTRIBUTE_KEY:
                raise ValueError(f"attribute key '{key}' exceeds 64 characters")
            if isinstance(item, str) and len(item) > MAX_ATTRIBUTE_VALUE:
                raise ValueError(f"attribute value for '{key}' exceeds 512 characters")
        return value


class VectorStoreResponse(BaseModel):
    """One vector store."""

    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    created_at: int
    last_active_at: int | None = None
    expires_at: int | None = None
    status: str
    usage_bytes: int = 0
    metadata: dict[str, Any] | None = None


class VectorStoresListResponse(BaseModel):
    """``GET /v1/vector-stores``."""

    model_config = ConfigDict(extra="forbid")

    data: list[VectorStoreResponse] = Field(default_factory=list)
    object: str = "list"


class FileResponse(BaseModel):
    """An uploaded file."""

    model_config = ConfigDict(extra="forbid")

    id: str
    filename: str
    bytes: int
    created_at: int
    purpose: str = "assistants"
    object: str = "file"


class VectorStoreFileResponse(BaseModel):
    """A file attached to a vector store."""

    model_config = ConfigDict(extra="forbid")

    id: str
    vector_store_id: str
    status: str
    attributes: dict[str, AttributeValue] | None = None
    last_error: str | None = None
    object: str = "vector_store.file"


class VectorStoreFilesListResponse(BaseModel):
    """``GET /v1/vector-stores/{vector_store_id}/files``."""

    model_config = ConfigDict(extra="forbid")

    data: list[VectorStoreFileResponse] = Field(default_factory=list)
    object: str = "list"


class VectorStoreDeleteResponse(BaseModel):
    """``DELETE /v1/vector-stores/{vector_store_id}`` (always HTTP 200)."""

    deleted: bool
    vector_store_id: str

    @computed_field  # type: ignore[prop-decorator]
    @property
    def response(self) -> str:
        """Human-readable outcome."""
        return "Vector store deleted successfully" if self.deleted else "Vector store not found"


class VectorStoreFileDeleteResponse(BaseModel):
    """``DELETE /v1/vector-stores/{vector_store_id}/files/{file_id}`` (always HTTP 200)."""

    deleted: bool
    file_id: str

    @computed_field  # type: ignore[prop-decorator]
    @property
    def response(self) -> str:
        """Human-readable outcome."""
        return (
            "Vector store file deleted successfully"
            if self.deleted
            else "Vector store file not found"
        )
