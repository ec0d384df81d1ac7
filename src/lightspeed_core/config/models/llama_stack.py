"""The ``llama_stack`` section: how the service reaches its OGX (Llama Stack) backend.

Modes (see contract section 11):

* server mode - ``url`` set and ``use_as_library_client`` false;
* library mode, legacy - ``use_as_library_client: true`` + ``library_client_config_path``;
* library mode, unified - ``use_as_library_client: true`` + a synthesis input
  (``llama_stack.config``, ``inference.providers`` or ``vector_store.providers``).

The checks that need other sections live on the root ``Configuration`` model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, model_validator

from lightspeed_core.config.models.base import ConfigModel, HttpUrlStr, PositiveInt, raise_issues

__all__ = ["LlamaStackConfiguration", "UnifiedLlamaStackConfig"]


class UnifiedLlamaStackConfig(ConfigModel):
    """Backend-specific knobs for unified-mode run-config synthesis.

    ``native_override`` is never subject to ``${env.*}`` substitution: it is kept raw so the
    backend resolves it later and secrets are not expanded into logs or dumps.
    """

    baseline: Literal["default", "empty"] = Field(
        default="default",
        title="Baseline selector",
        description=(
            "Synthesis starting point: 'default' uses the built-in baseline, 'empty' "
            "starts from {}. Ignored when 'profile' is set."
        ),
    )
    profile: Path | None = Field(
        default=None,
        title="Profile path",
        description=(
            "Path to a run.yaml-shaped baseline file. Relative paths resolve against the "
            "directory of the loaded lightspeed-stack.yaml."
        ),
    )
    native_override: dict[str, Any] = Field(
        default_factory=dict,
        title="Native override",
        description=(
            "Raw Llama Stack schema deep-merged last (maps merge recursively; lists and "
            "scalars replace). Not subject to ${env.*} substitution."
        ),
    )


class LlamaStackConfiguration(ConfigModel):
    """Llama Stack (OGX) configuration: server URL or in-process library mode."""

    url: HttpUrlStr | None = Field(
        default=None,
        title="Llama Stack URL",
        description=(
            "URL to Llama Stack service; used when library mode is disabled. Must be a "
            "valid HTTP or HTTPS URL."
        ),
    )
    api_key: SecretStr | None = Field(
        default=None,
        title="API key",
        description="API key to access Llama Stack service",
    )
    use_as_library_client: bool | None = Field(
        default=None,
        title="Use as library",
        description=(
            "When set to true Llama Stack will be used in library mode, not in server "
            "mode (default)"
        ),
    )
    library_client_config_path: Path | None = Field(
        default=None,
        title="Llama Stack configuration path (legacy, deprecated)",
        description=(
            "Path to configuration file used when Llama Stack is run in library mode. "
            "DEPRECATED legacy two-file setup: use unified mode instead (the config block "
            "below, and/or the root-level inference.providers section)."
        ),
    )
    timeout: PositiveInt = Field(
        default=180,
        title="Request timeout",
        description=(
            "Timeout in seconds for requests to Llama Stack service. Default is 180 "
            "seconds (3 minutes) to accommodate long-running RAG queries."
        ),
    )
    max_retries: PositiveInt = Field(
        default=5,
        title="Maximum number of connection attempts before giving up",
        description=(
            "Maximum number of connection attempts before giving up. Used on startup to "
            "connect to Llama Stack and retrieve its version. Connection attempts are "
            "retried with a fixed delay to handle the case where Llama Stack is still "
            "starting up (e.g., when running as a sidecar in the same pod)."
        ),
    )
    retry_delay: PositiveInt = Field(
        default=2,
        title="Delay in seconds between retry attempts",
        description=(
            "Delay in seconds between retry attempts. Used on startup to connect to Llama "
            "Stack and retrieve its version."
        ),
    )
    allow_degraded_mode: bool | None = Field(
        default=False,
        title="Allow degraded mode",
        description=(
            "If enabled, Lightspeed Core can be started even when Llama Stack is not "
            "accessible (valid for server mode only)"
        ),
    )
    config: UnifiedLlamaStackConfig | None = Field(
        default=None,
        title="Unified Llama Stack configuration",
        description=(
            "Backend-specific knobs for unified mode, where the service synthesizes the "
            "Llama Stack run.yaml instead of reading an external file: baseline selector, "
            "optional profile path and a raw native_override escape hatch. Mutually "
            "exclusive with library_client_config_path."
        ),
    )

    @property
    def library_mode(self) -> bool:
        """True when OGX runs in-process (library mode)."""
        return bool(self.use_as_library_client)

    @model_validator(mode="before")
    @classmethod
    def _default_to_server_mode(cls, data: Any) -> Any:
        # As in the reference: an unset use_as_library_client means server mode (false).
        if isinstance(data, dict) and data.get("use_as_library_client") is None:
            return {**data, "use_as_library_client": False}
        return data

    @model_validator(mode="after")
    def _check_mode(self) -> LlamaStackConfiguration:
        if self.url is None and not self.use_as_library_client:
            raise_issues(
                [
                    (
                        "url",
                        "required in server mode: set url, or use_as_library_client: true "
                        "to run Llama Stack in-process (library mode)",
                    )
                ]
            )
        return self
