"""Bodies of ``POST /v1/streaming_query/interrupt``."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class StreamingInterruptRequest(BaseModel):
    """The stream to stop: the ``request_id`` of its ``start`` event."""

    model_config = ConfigDict(extra="forbid")

    request_id: str = Field(examples=["123e4567-e89b-12d3-a456-426614174000"])


class StreamingInterruptResponse(BaseModel):
    """Whether a running stream was stopped."""

    request_id: str
    interrupted: bool
    message: str
