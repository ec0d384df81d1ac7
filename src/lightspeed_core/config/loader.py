"""Load ``lightspeed-stack.yaml``: read -> YAML -> ``${env.*}`` substitution -> validate.

Every failure is a :class:`ConfigError` listing all problems with their key paths. After
validation, as in the reference service, MCP servers whose headers use the caller's
Kubernetes token are dropped (with a warning) unless the authentication module provides
such a token (``k8s`` or ``noop-with-token``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

from pydantic import ValidationError

from lightspeed_core.config.envsubst import substitute_env
from lightspeed_core.config.errors import ConfigError, ConfigProblem
from lightspeed_core.config.models.root import Configuration
from lightspeed_core.config.validation import problems_from_validation_error
from lightspeed_core.config.yaml_source import read_yaml_file

__all__ = [
    "NATIVE_OVERRIDE_PATH",
    "configuration_from_data",
    "drop_unusable_mcp_servers",
    "load_configuration",
]

logger = logging.getLogger(__name__)

NATIVE_OVERRIDE_PATH = ("llama_stack", "config", "native_override")
"""Kept raw (not substituted) so OGX resolves it later and secrets are not expanded."""

_K8S_TOKEN_MODULES = frozenset({"k8s", "noop-with-token"})


def load_configuration(path: Path, *, environ: Mapping[str, str] | None = None) -> Configuration:
    """Load and validate the configuration file at ``path``.

    Args:
        path: The ``lightspeed-stack.yaml`` file.
        environ: Environment for ``${env.*}`` substitution; ``os.environ`` when ``None``.

    Raises:
        ConfigError: the file is missing or unreadable, is not valid YAML, references unset
            environment variables or does not validate.
    """
    data = read_yaml_file(path)
    return configuration_from_data(
        data, source=str(path), base_dir=path.absolute().parent, environ=environ
    )


def configuration_from_data(
    data: object,
    *,
    source: str = "<data>",
    base_dir: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Configuration:
    """Validate already-parsed YAML ``data`` (see :func:`load_configuration`).

    Args:
        data: The parsed document.
        source: Name of the document used in error messages.
        base_dir: Directory relative ``llama_stack.config.profile`` paths resolve against.
        environ: Environment for ``${env.*}`` substitution; ``os.environ`` when ``None``.
    """
    if data is None:
        raise ConfigError([ConfigProblem(source, "the configuration is empty")], source)
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a {type(data).__name__}"
        message = f"the top level must be a mapping of configuration keys, got {kind}"
        raise ConfigError([ConfigProblem(source, message)], source)
    substituted, unset = substitute_env(data, environ, keep_raw=[NATIVE_OVERRIDE_PATH])
    if unset:
        problems = [
            ConfigProblem(
                var.path or "<root>",
                f"environment variable {var.name} is not set "
                f"(use ${{env.{var.name}:=default}} to give a default)",
            )
            for var in unset
        ]
        raise ConfigError(problems, source)
    assert isinstance(substituted, dict)
    if base_dir is not None:
        _resolve_profile_path(substituted, base_dir)
    try:
        configuration = Configuration.model_validate(substituted)
    except ValidationError as exc:
        raise ConfigError(problems_from_validation_error(exc, Configuration), source) from None
    configuration, warnings = drop_unusable_mcp_servers(configuration)
    for warning in warnings:
        logger.warning("%s", warning)
    return configuration


def _resolve_profile_path(data: dict[object, object], base_dir: Path) -> None:
    """Make a relative ``llama_stack.config.profile`` relative to ``base_dir`` (in place)."""
    llama_stack = data.get("llama_stack")
    config = llama_stack.get("config") if isinstance(llama_stack, dict) else None
    profile = config.get("profile") if isinstance(config, dict) else None
    if isinstance(config, dict) and isinstance(profile, str) and profile:
        candidate = Path(profile).expanduser()
        if not candidate.is_absolute():
            config["profile"] = str(base_dir / candidate)


def drop_unusable_mcp_servers(configuration: Configuration) -> tuple[Configuration, list[str]]:
    """Remove MCP servers needing a Kubernetes token the auth module cannot provide.

    Returns:
        The (possibly) updated configuration and one warning per dropped server.
    """
    module = configuration.authentication.module
    if module in _K8S_TOKEN_MODULES:
        return configuration, []
    kept = []
    warnings: list[str] = []
    for index, server in enumerate(configuration.mcp_servers):
        if server.uses_kubernetes_token():
            warnings.append(
                f"mcp_servers[{index}] ({server.name!r}) is ignored: its authorization_headers "
                f"use 'kubernetes', which needs authentication.module 'k8s' or "
                f"'noop-with-token' (configured: {module!r})"
            )
        else:
            kept.append(server)
    if not warnings:
        return configuration, []
    return configuration.model_copy(update={"mcp_servers": kept}), warnings
