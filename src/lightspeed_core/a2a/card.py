"""The agent card (contract 10), built from ``customization.agent_card_config`` / ``_path``.

As the reference: ``name`` defaults to "Lightspeed AI Assistant", ``version`` is the service
version, ``url`` is ``<service.base_url or http://localhost:8080>/a2a`` and
``documentationUrl`` ``<base>/docs``; skills (``inputModes``/``outputModes``), provider,
capabilities (``streaming`` true, ``pushNotifications`` and ``stateTransitionHistory``
false unless configured), default input/output modes (``["text/plain"]``),
``protocolVersion`` (``0.3.0``), ``security`` (``[{"bearer": []}]``) and
``security_schemes`` come from the configuration; keys may be camelCase or snake_case.

One addition: ``supportedInterfaces`` (a protocol-1.0 card field) lists the JSON-RPC
endpoint twice, for protocol 1.0 and 0.3. Clients of the 0.3 SDK ignore it and use ``url``;
clients of the 1.x SDK pick protocol 1.0 from it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from a2a.compat.v0_3.types import AgentCard
from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel

from lightspeed_core.config import Configuration

DEFAULT_NAME = "Lightspeed AI Assistant"
DEFAULT_BASE_URL = "http://localhost:8080"
DEFAULT_MODES = ["text/plain"]
PROTOCOL_VERSIONS = ("1.0", "0.3")
NO_CUSTOMIZATION = "Customization configuration not found"
NO_CARD = "Agent card configuration not found"


class AgentCardError(RuntimeError):
    """The configured agent card cannot be built (stops start-up)."""


class ProtocolInterface(BaseModel):
    """One endpoint and the protocol version it speaks (protocol 1.0 ``AgentInterface``)."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
    )

    url: str
    protocol_binding: str = "JSONRPC"
    protocol_version: str


class AgentCardDocument(AgentCard):
    """The protocol-0.3 agent card of the reference, plus ``supportedInterfaces``."""

    supported_interfaces: list[ProtocolInterface] | None = None


def _pick(config: dict[str, Any], camel: str, snake: str, default: Any) -> Any:
    if camel in config:
        return config[camel]
    return config.get(snake, default)


def _skill(skill: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": skill.get("id"),
        "name": skill.get("name"),
        "description": skill.get("description"),
        "tags": skill.get("tags", []),
        "inputModes": _pick(skill, "inputModes", "input_modes", []),
        "outputModes": _pick(skill, "outputModes", "output_modes", []),
        "examples": skill.get("examples", []),
    }


def card_document(config: dict[str, Any], base_url: str | None, version: str) -> dict[str, Any]:
    """The card as a JSON object (the reference's fields and defaults)."""
    base = (base_url or DEFAULT_BASE_URL).rstrip("/")
    url = f"{base}/a2a"
    capabilities = config.get("capabilities") or {}
    return {
        "name": config.get("name", DEFAULT_NAME),
        "description": config.get("description", ""),
        "version": version,
        "url": url,
        "documentationUrl": f"{base}/docs",
        "provider": config.get("provider"),
        "skills": [_skill(skill) for skill in config.get("skills") or []],
        "capabilities": {
            "streaming": capabilities.get("streaming", True),
            "pushNotifications": _pick(
                capabilities, "pushNotifications", "push_notifications", False
            ),
            "stateTransitionHistory": _pick(
                capabilities, "stateTransitionHistory", "state_transition_history", False
            ),
        },
        "defaultInputModes": _pick(
            config, "defaultInputModes", "default_input_modes", DEFAULT_MODES
        ),
        "defaultOutputModes": _pick(
            config, "defaultOutputModes", "default_output_modes", DEFAULT_MODES
        ),
        "protocolVersion": _pick(config, "protocolVersion", "protocol_version", "0.3.0"),
        "security": config.get("security", [{"bearer": []}]),
        "securitySchemes": _pick(config, "securitySchemes", "security_schemes", None),
        "supportedInterfaces": [
            {"url": url, "protocolBinding": "JSONRPC", "protocolVersion": version_}
            for version_ in PROTOCOL_VERSIONS
        ],
    }


def load_card_config(config: Configuration, config_dir: Path) -> dict[str, Any] | None:
    """``agent_card_config``, or the YAML file ``agent_card_path`` names.

    A relative path is relative to the configuration's folder; ``None`` when neither is set.
    """
    customization = config.customization
    if customization is None:
        return None
    if customization.agent_card_config is not None:
        return customization.agent_card_config
    if customization.agent_card_path is None:
        return None
    path = config_dir / customization.agent_card_path
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise AgentCardError(f"customization.agent_card_path: cannot read {path}: {exc}") from exc
    if not isinstance(loaded, dict):
        raise AgentCardError(f"customization.agent_card_path: {path} is not a YAML mapping")
    return loaded


def build_card(config: Configuration, config_dir: Path, version: str) -> AgentCardDocument | None:
    """The agent card, or ``None`` when the configuration has none (the routes answer 500)."""
    card_config = load_card_config(config, config_dir)
    if card_config is None:
        return None
    document = card_document(card_config, config.service.base_url, version)
    try:
        return AgentCardDocument.model_validate(document)
    except ValidationError as exc:
        key = (
            "customization.agent_card_config"
            if config.customization and config.customization.agent_card_config is not None
            else "customization.agent_card_path"
        )
        raise AgentCardError(f"{key}: not a valid agent card: {exc}") from exc


def missing_card_reason(config: Configuration) -> str:
    """The reference's 500 text when no card is configured."""
    return NO_CUSTOMIZATION if config.customization is None else NO_CARD
