"""``/v1/prompts`` bodies (the reference's ``Prompt*`` schemas over OGX stored prompts)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, computed_field

_EXAMPLE_ID = "pmpt_0123456789abcdef0123456789abcdef0123456789abcdef"


class PromptCreateRequest(BaseModel):
    """A new prompt template (``{{name}}`` placeholders must be declared in ``variables``)."""

    model_config = ConfigDict(extra="forbid")

    prompt: str = Field(min_length=1, examples=["Summarize: {{text}}"])
    variables: list[str] | None = Field(default=None, examples=[["text"]])


class PromptUpdateRequest(BaseModel):
    """A new version of a prompt; ``version`` is the current (latest) version."""

    model_config = ConfigDict(extra="forbid")

    prompt: str = Field(min_length=1, examples=["Summarize briefly: {{text}}"])
    version: int = Field(gt=0, examples=[1])
    set_as_default: bool | None = Field(
        default=None, description="Make the new version the default (default: yes)."
    )
    variables: list[str] | None = Field(default=None, examples=[["text"]])


class PromptResourceResponse(BaseModel):
    """One version of a stored prompt."""

    model_config = ConfigDict(extra="forbid")

    prompt_id: str = Field(examples=[_EXAMPLE_ID])
    version: int = Field(examples=[1])
    is_default: bool | None = None
    prompt: str | None = None
    variables: list[str] | None = None


class PromptsListResponse(BaseModel):
    """The default version of every stored prompt."""

    model_config = ConfigDict(extra="forbid")

    data: list[PromptResourceResponse] = Field(default_factory=list)


class PromptDeleteResponse(BaseModel):
    """Result of deleting a prompt (always HTTP 200)."""

    deleted: bool
    prompt_id: str

    @computed_field  # type: ignore[prop-decorator]
    @property
    def response(self) -> str:
        return "Prompt deleted successfully" if self.deleted else "Prompt not found"
