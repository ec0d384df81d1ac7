"""Serialise a configuration for display (``GET /v1/config``, ``--dump-configuration``).

``SecretStr`` fields become ``"**********"``; so do values of secret-named keys inside the
free-form mappings (``llama_stack.config.native_override``, ``inference.providers[].extra``,
``customization.agent_card_config``), where users may write literal credentials.
"""

from __future__ import annotations

from typing import Any

from lightspeed_core.config.models.root import Configuration

__all__ = ["MASK", "config_json_schema", "dump_configuration"]

MASK = "**********"

_SECRET_KEYS = frozenset(
    {
        "api_key",
        "api_token",
        "access_token",
        "password",
        "secret",
        "client_secret",
        "token",
        "private_key",
    }
)


def _mask_secret_keys(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: (
                MASK
                if isinstance(key, str) and key.lower() in _SECRET_KEYS and isinstance(value, str)
                else _mask_secret_keys(value)
            )
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_mask_secret_keys(item) for item in node]
    return node


def dump_configuration(configuration: Configuration) -> dict[str, Any]:
    """Return ``configuration`` as JSON-compatible data with every secret masked."""
    return dict(_mask_secret_keys(configuration.model_dump(mode="json")))


def config_json_schema() -> dict[str, Any]:
    """Return the JSON Schema of ``lightspeed-stack.yaml`` (``--dump-schema``)."""
    return Configuration.model_json_schema()
