"""The ``user_data_collection`` section: feedback and transcript storage.

Whether the storage directories are creatable and writable is checked by
:func:`lightspeed_core.config.checks.check_runtime_paths`, not at parse time.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator

from lightspeed_core.config.models.base import ConfigModel, Issue, raise_issues

__all__ = ["UserDataCollection"]


class UserDataCollection(ConfigModel):
    """User data collection configuration (feedback and transcripts)."""

    feedback_enabled: bool = Field(
        default=False,
        title="Feedback enabled",
        description="When set to true the user feedback is stored and later sent for analysis.",
    )
    feedback_storage: Path | None = Field(
        default=None,
        title="Feedback storage directory",
        description="Path to directory where feedback will be saved for further processing.",
    )
    transcripts_enabled: bool = Field(
        default=False,
        title="Transcripts enabled",
        description=(
            "When set to true the conversation history is stored and later sent for analysis."
        ),
    )
    transcripts_storage: Path | None = Field(
        default=None,
        title="Transcripts storage directory",
        description=(
            "Path to directory where conversation history will be saved for further processing."
        ),
    )

    @model_validator(mode="after")
    def _check_storage(self) -> UserDataCollection:
        issues: list[Issue] = []
        if self.feedback_enabled and self.feedback_storage is None:
            issues.append(("feedback_storage", "required when feedback_enabled is true"))
        if self.transcripts_enabled and self.transcripts_storage is None:
            issues.append(("transcripts_storage", "required when transcripts_enabled is true"))
        raise_issues(issues)
        return self
