"""``/v1/saved-prompts`` bodies (the reference's ``SavedPrompt*`` schemas)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, computed_field


class SavedPromptsConfigResponse(BaseModel):
    """``GET /v1/saved-prompts/config``: the limits of the ``saved_prompts`` block."""

    model_config = ConfigDict(extra="forbid")

    max_prompts_per_user: int = Field(examples=[50])
    max_display_name_length: int = Field(examples=[255])
    max_content_length: int = Field(examples=[10000])


class SavedPromptCreateRequest(BaseModel):
    """A prompt to save (the limits are checked by the service: 422 with the contract body)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(examples=["Deploy to staging"])
    content: str = Field(examples=["Help me write a deployment checklist…"])


class SavedPromptResponse(BaseModel):
    """One saved prompt."""

    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    content: str
    created_at: datetime
    updated_at: datetime


class SavedPromptsListResponse(BaseModel):
    """The caller's saved prompts."""

    model_config = ConfigDict(extra="forbid")

    prompts: list[SavedPromptResponse]


class SavedPromptDeleteResponse(BaseModel):
    """Result of deleting a saved prompt (always HTTP 200)."""

    deleted: bool
    prompt_id: str

    @computed_field  # type: ignore[prop-decorator]
    @property
    def response(self) -> str:
        return "Saved prompt deleted successfully" if self.deleted else "Saved prompt not found"
