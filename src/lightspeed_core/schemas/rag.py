"""``/v1/rags`` and ``/v1/rags/{rag_id}`` bodies: the list of RAG ids and one RAG.

Field order and optionality follow the reference ``openapi.json``.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class RAGListResponse(BaseModel):
    """The RAG ids: configured ``rag_id`` where one maps to the OGX store, else the OGX id."""

    rags: list[str] = Field(description="List of RAG identifiers")


class RAGInfoResponse(BaseModel):
    """One vector store, shown under its ``rag_id`` when the configuration names one."""

    id: str = Field(description="Vector DB unique ID")
    name: str | None = Field(default=None, description="Human readable vector DB name")
    created_at: int = Field(description="When the vector store was created, as Unix time")
    last_active_at: int | None = Field(default=None, description="When it was last active")
    usage_bytes: int = Field(description="Storage byte(s) used by this vector DB")
    expires_at: int | None = Field(default=None, description="When the vector store expires")
    object: str = Field(description="Object type")
    status: str = Field(description="Vector DB status")
