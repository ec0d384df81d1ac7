"""Bodies of the quota administration API (``/v1/quotas``, ``/v1/token-usage``)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

MAX_TOKENS = 2**31 - 1
"""The quota columns are 32-bit integers on both engines."""


class QuotaStatus(BaseModel):
    """One limiter's bucket for a subject."""

    limiter: str = Field(description="Limiter name (quota_handlers.limiters[].name)")
    type: Literal["user_limiter", "cluster_limiter"]
    shared: bool = Field(description="True for a cluster limiter: one bucket for everyone")
    quota_limit: int = Field(description="Limit of this bucket (reset target, refill ceiling)")
    limit_overridden: bool = Field(description="The limit was set through this API")
    available: int = Field(description="Tokens that may still be reserved")
    reserved: int = Field(description="Tokens held by requests in flight")
    initial_quota: int
    quota_increase: int
    period: str
    updated_at: datetime | None = None
    revoked_at: datetime | None = Field(default=None, description="Last refill or reset")
    next_refill_at: datetime | None = None


class QuotasResponse(BaseModel):
    """The quotas of one subject (a user id)."""

    subject: str
    quotas: list[QuotaStatus]


class QuotaUpdateRequest(BaseModel):
    """Set the limit and/or the available tokens of one limiter's bucket."""

    model_config = ConfigDict(extra="forbid")

    limiter: str = Field(min_length=1, description="Limiter name")
    quota_limit: int | None = Field(
        default=None, ge=0, le=MAX_TOKENS, description="New limit of the bucket"
    )
    available: int | None = Field(
        default=None, ge=0, le=MAX_TOKENS, description="New available tokens"
    )

    @model_validator(mode="after")
    def _something_to_set(self) -> QuotaUpdateRequest:
        if self.quota_limit is None and self.available is None:
            raise ValueError("set quota_limit, available or both")
        return self


class TokenUsageEntry(BaseModel):
    """Cumulative tokens of one provider and model."""

    provider: str
    model: str
    input_tokens: int
    output_tokens: int
    updated_at: datetime | None = None


class TokenUsageResponse(BaseModel):
    """Token usage history of one user."""

    user_id: str
    usage: list[TokenUsageEntry]
