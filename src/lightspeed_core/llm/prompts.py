"""System prompts, resolved once at start-up.

Precedence for a query (contract 1.3): the request's ``system_prompt`` (422 if
``customization.disable_query_system_prompt``) → the custom profile's
``system_prompts["default"]`` → ``customization.system_prompt`` (or the file
``system_prompt_path``) → ``"You are a helpful assistant"``.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lightspeed_core.config.models.customization import Customization
from lightspeed_core.errors import UnprocessableError

DEFAULT_SYSTEM_PROMPT = "You are a helpful assistant"
DEFAULT_TOPIC_SUMMARY_PROMPT = (
    "You are a topic summarizer. Summarize the topic of the user's message in at most five "
    "words, in Title Case. Answer with the topic only: no quotes, no punctuation at the end."
)


def load_profile(path: Path) -> dict[str, str]:
    """``PROFILE_CONFIG["system_prompts"]`` of a Python profile file."""
    spec = importlib.util.spec_from_file_location("lightspeed_custom_profile", path)
    if spec is None or spec.loader is None:
        raise ValueError(f"cannot load custom profile {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    profile: Any = getattr(module, "PROFILE_CONFIG", {})
    prompts = profile.get("system_prompts", {}) if isinstance(profile, dict) else {}
    return {str(k): str(v) for k, v in prompts.items()}


@dataclass(frozen=True)
class SystemPrompts:
    """The prompts a request can end up with."""

    default: str = DEFAULT_SYSTEM_PROMPT
    topic_summary: str = DEFAULT_TOPIC_SUMMARY_PROMPT
    allow_request_override: bool = True

    @classmethod
    def from_config(cls, customization: Customization | None, config_dir: Path) -> SystemPrompts:
        """Read the profile / prompt file named by ``customization`` (at start-up only)."""
        if customization is None:
            return cls()
        profile: dict[str, str] = {}
        if customization.profile_path is not None:
            profile = load_profile(config_dir / customization.profile_path)
        configured = customization.system_prompt
        if customization.system_prompt_path is not None:
            configured = (config_dir / customization.system_prompt_path).read_text().strip()
        return cls(
            default=profile.get("default") or configured or DEFAULT_SYSTEM_PROMPT,
            topic_summary=profile.get("topic_summary") or DEFAULT_TOPIC_SUMMARY_PROMPT,
            allow_request_override=not customization.disable_query_system_prompt,
        )

    def for_request(self, requested: str | None) -> str:
        """The system prompt of one query."""
        if requested is None:
            return self.default
        if not self.allow_request_override:
            raise UnprocessableError(
                "System prompt customization is disabled",
                "This instance does not support customizing the system prompt in the query "
                "request (disable_query_system_prompt is set). Please remove the system_prompt "
                "field from your request.",
            )
        return requested
