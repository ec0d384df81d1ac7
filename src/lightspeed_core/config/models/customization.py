"""The ``customization`` section: system prompts, profile module and A2A agent card.

Files named here (``system_prompt_path``, ``profile_path``, ``agent_card_path``) are not read
at parse time; the features that use them read them at start-up.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field

from lightspeed_core.config.models.base import ConfigModel

__all__ = ["CustomProfile", "Customization"]


class CustomProfile(ConfigModel):
    """Custom profile customization for prompts and validation."""

    path: Path = Field(
        title="Path to custom profile",
        description="Path to Python modules containing custom profile.",
    )
    prompts: dict[str, str] = Field(
        default_factory=dict,
        title="System prompts",
        description="Dictionary containing map of system prompts",
    )


class Customization(ConfigModel):
    """Service customization: system prompt, custom profile and agent card."""

    profile_path: Path | None = Field(
        default=None,
        title="Profile path",
        description=(
            "Python file exposing PROFILE_CONFIG = {'system_prompts': {'default': ..., "
            "'topic_summary': ...}}."
        ),
    )
    disable_query_system_prompt: bool = Field(
        default=False,
        title="Disable query system prompt",
        description="Reject the per-request system_prompt field of query requests.",
    )
    disable_shield_ids_override: bool = Field(
        default=False,
        title="Disable shield IDs override",
        description="Reject the per-request shield_ids field of query requests.",
    )
    system_prompt_path: Path | None = Field(
        default=None,
        title="System prompt path",
        description="File whose content is used as the system prompt.",
    )
    system_prompt: str | None = Field(
        default=None,
        title="System prompt",
        description="System prompt used when the request does not provide one.",
    )
    agent_card_path: Path | None = Field(
        default=None,
        title="Agent card path",
        description=(
            "YAML file with the A2A agent card (relative to the configuration file's folder); "
            "read at start-up when agent_card_config is not set."
        ),
    )
    agent_card_config: dict[str, Any] | None = Field(
        default=None,
        title="Agent card config",
        description=(
            "The A2A agent card: name, description, provider, skills, capabilities, "
            "defaultInputModes, defaultOutputModes, protocolVersion, security, "
            "security_schemes (docs/a2a.md). Without it (or agent_card_path) the card routes "
            "answer 500."
        ),
    )
    custom_profile: CustomProfile | None = Field(
        default=None,
        title="Custom profile",
        description="Custom profile (normally derived from profile_path).",
    )
