"""Bodies of ``/v1/feedback`` and ``/v1/feedback/status``."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from lightspeed_core.ids import is_valid_conversation_id


class FeedbackCategory(StrEnum):
    """What was wrong with an answer (multi-select, for negative feedback)."""

    INCORRECT = "incorrect"
    NOT_RELEVANT = "not_relevant"
    INCOMPLETE = "incomplete"
    OUTDATED_INFORMATION = "outdated_information"
    UNSAFE = "unsafe"
    OTHER = "other"


class FeedbackRequest(BaseModel):
    """Feedback on one answer; at least one of sentiment, user_feedback, categories."""

    model_config = ConfigDict(extra="forbid")

    conversation_id: str = Field(examples=["c5260aec-4d82-4370-9fdf-05cf908b3f16"])
    user_question: str
    llm_response: str
    sentiment: int | None = Field(default=None, examples=[-1, 1])
    user_feedback: str | None = Field(default=None, max_length=4096)
    categories: list[FeedbackCategory] | None = None

    @field_validator("conversation_id")
    @classmethod
    def _check_conversation_id(cls, value: str) -> str:
        if not is_valid_conversation_id(value):
            raise ValueError(f"Improper conversation ID '{value}'")
        return value

    @field_validator("sentiment")
    @classmethod
    def _check_sentiment(cls, value: int | None) -> int | None:
        if value not in (-1, 1, None):
            raise ValueError(f"Improper sentiment value of {value}, needs to be -1 or 1")
        return value

    @field_validator("categories")
    @classmethod
    def _unique_categories(
        cls, value: list[FeedbackCategory] | None
    ) -> list[FeedbackCategory] | None:
        if not value:
            return None  # an empty list means "no categories"
        return list(dict.fromkeys(value))

    @model_validator(mode="after")
    def _some_feedback(self) -> Self:
        if self.sentiment is None and not self.user_feedback and self.categories is None:
            raise ValueError(
                "At least one form of feedback must be provided: "
                "'sentiment', 'user_feedback', or 'categories'"
            )
        return self


class FeedbackResponse(BaseModel):
    """``POST /v1/feedback``."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    response: str = "feedback received"


class StatusResponse(BaseModel):
    """``GET /v1/feedback/status``."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    functionality: str = "feedback"
    status: dict[str, Any]


class FeedbackStatusUpdateRequest(BaseModel):
    """``PUT /v1/feedback/status``."""

    model_config = ConfigDict(extra="forbid")

    status: bool = False


class FeedbackStatusUpdateResponse(BaseModel):
    """``{"status": {previous_status, updated_status, updated_by, timestamp}}``."""

    status: dict[str, Any]
